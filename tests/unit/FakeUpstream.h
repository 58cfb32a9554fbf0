// A scripted fake upstream for unit tests: a raw TCP server on 127.0.0.1
// (port 0), one thread per connection, each running a script of reads and
// writes, counting connections and requests. Shared by the suites that talk
// to an upstream (UpstreamPool, AppBearer, the OAuth 2.0 client).
#pragma once

#include "birdgate/twitter/Upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace birdgate::test
{
/// One accepted connection of a fake upstream, seen from its script.
class Peer
{
  public:
    Peer(int fd, std::atomic<int>& requests) : _fd(fd), _requests(requests) {}

    /// The next request (head and Content-Length body), or "" at EOF.
    std::string readRequest()
    {
        for (;;)
        {
            auto end = _buf.find("\r\n\r\n");
            if (end != std::string::npos)
            {
                std::size_t length = 0;
                std::string head = _buf.substr(0, end);
                const std::string field = "\r\ncontent-length:";
                if (auto pos = lower(head).find(field); pos != std::string::npos)
                    length = std::stoul(head.substr(pos + field.size()));
                if (_buf.size() >= end + 4 + length)
                {
                    std::string request = _buf.substr(0, end + 4 + length);
                    _buf.erase(0, end + 4 + length);
                    ++_requests;
                    return request;
                }
            }
            char chunk[4096];
            ssize_t n = ::recv(_fd, chunk, sizeof chunk, 0);
            if (n <= 0) return {};
            _buf.append(chunk, static_cast<std::size_t>(n));
        }
    }

    void write(const std::string& bytes)
    {
        std::size_t off = 0;
        while (off < bytes.size())
        {
            ssize_t n = ::send(_fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;
            off += static_cast<std::size_t>(n);
        }
    }

    /// Waits (up to ~10 s) for the client to close its end.
    bool waitEof()
    {
        for (int i = 0; i < 100; ++i)
        {
            pollfd p{_fd, POLLIN, 100};
            if (::poll(&p, 1, 100) > 0)
            {
                char c[4096];
                ssize_t n = ::recv(_fd, c, sizeof c, 0);
                if (n <= 0) return true;
            }
        }
        return false;
    }

    int fd() const { return _fd; }

  private:
    static std::string lower(std::string s)
    {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    int _fd;
    std::atomic<int>& _requests;
    std::string _buf;
};

/// A TCP server on 127.0.0.1:<free port> running `script` on each
/// connection (its index counts from 0) on its own thread.
class FakeUpstream
{
  public:
    using Script = std::function<void(Peer&, int connection)>;

    explicit FakeUpstream(Script script) : _script(std::move(script))
    {
        _listen = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        port = ntohs(addr.sin_port);
        ::listen(_listen, 16);
        _acceptor = std::thread([this] { acceptLoop(); });
    }

    ~FakeUpstream()
    {
        _stop = true;
        _acceptor.join();
        ::close(_listen);
        for (auto& t : _threads) t.join();
        for (int fd : _fds) ::close(fd);
    }

    UpstreamTarget target() const { return {"http", "127.0.0.1", port}; }

    int port = 0;
    std::atomic<int> connections{0};
    std::atomic<int> requests{0};
    std::atomic<int> finished{0}; // scripts that returned

  private:
    void acceptLoop()
    {
        while (!_stop)
        {
            pollfd p{_listen, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            int fd = ::accept(_listen, nullptr, nullptr);
            if (fd < 0) continue;
            int index = connections++;
            std::lock_guard<std::mutex> lock(_mutex);
            _fds.push_back(fd);
            _threads.emplace_back([this, fd, index] {
                Peer peer(fd, requests);
                _script(peer, index);
                ::shutdown(fd, SHUT_RDWR);
                ++finished;
            });
        }
    }

    Script _script;
    int _listen = -1;
    std::atomic<bool> _stop{false};
    std::thread _acceptor;
    std::mutex _mutex;
    std::vector<std::thread> _threads; // guarded by _mutex (joined after the acceptor)
    std::vector<int> _fds;             // guarded by _mutex
};

} // namespace birdgate::test
