// The rows of the handler table; see HandlerTable.h. Part of birdgate_gateway
// (it names the sandbox), like the Gateway that uses it.
#include "birdgate/server/HandlerTable.h"

#include "birdgate/rest/TwitterRESTHandler.h"
#include "birdgate/sandbox/TwitterSandbox.h"
#include "birdgate/server/Services.h"
#include "server/FileHandler.h"

namespace birdgate
{

std::span<const HandlerFactory> handlerTable()
{
    static const HandlerFactory TABLE[] = {
        {"TwitterRESTHandler",
         [](const UrlEntry& entry, const HandlerContext& context) -> std::shared_ptr<Endpoint> {
             return std::make_shared<TwitterRESTHandler>(entry, context.services);
         }},
        {"TwitterSandbox",
         [](const UrlEntry& entry, const HandlerContext& context) -> std::shared_ptr<Endpoint> {
             return std::make_shared<TwitterSandbox>(entry, context.app, context.warnings);
         }},
        {"FileHandler",
         [](const UrlEntry& entry, const HandlerContext& context) -> std::shared_ptr<Endpoint> {
             return std::make_shared<FileHandler>(entry, context.services);
         }},
    };
    return TABLE;
}

HandlerNames handlerNames()
{
    static const std::vector<std::string_view> NAMES = [] {
        std::vector<std::string_view> names;
        for (const HandlerFactory& factory : handlerTable()) names.emplace_back(factory.name);
        return names;
    }();
    return NAMES;
}

const HandlerFactory* findHandler(std::string_view name)
{
    for (const HandlerFactory& factory : handlerTable())
        if (name == factory.name) return &factory;
    return nullptr;
}

} // namespace birdgate
