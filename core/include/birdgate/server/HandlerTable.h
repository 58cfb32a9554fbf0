// The one table of url handlers (DESIGN.md 1: "Handlers register in one
// table, name -> factory"). A `url:` entry's `handler:` is looked up here by
// the Gateway to build its Endpoint, and the same names are what the config
// loader accepts (Config::load is handed handlerNames()), so a new handler is
// one new row and cannot be known to one side and not the other.
//
// Declared here, defined in core/src/server/HandlerTable.cpp, which is
// compiled into birdgate_gateway, not birdgate_core: the table names
// TwitterSandbox, whose library sits above birdgate_core (core/CMakeLists.txt).
// Endpoint and Services are only declared, so that what needs just the names
// (main, the config tests and fuzzer) does not pull in Asio's coroutines.
#pragma once

#include "birdgate/config/Config.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate
{

class Endpoint;
struct Services;

/// What a factory may use besides its url entry: everything built once at
/// start-up, handed through the constructor (no globals).
struct HandlerContext
{
    const Services& services;
    const AppConfig& app;
    std::vector<std::string>* warnings; // start-up warnings, logged once
};

struct HandlerFactory
{
    const char* name; // the `handler:` value, e.g. "TwitterRESTHandler"
    /// Builds the entry's Endpoint; throws ConfigError for bad kwargs.
    std::function<std::shared_ptr<Endpoint>(const UrlEntry&, const HandlerContext&)> make;
};

/// Every handler, in the order error messages list them.
std::span<const HandlerFactory> handlerTable();

/// The table's names, in the same order (what Config::load accepts).
HandlerNames handlerNames();

/// The table's row named `name`, or nullptr.
const HandlerFactory* findHandler(std::string_view name);

} // namespace birdgate
