// Task<T>: the coroutine type of every asynchronous function in birdgate
// (handlers, the upstream client, the worker pool). It is Asio's awaitable;
// the alias keeps the name of the event library out of the signatures.
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including
// <utility>: include it first, here, once.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>

namespace birdgate
{

template <class T = void> using Task = boost::asio::awaitable<T>;

} // namespace birdgate
