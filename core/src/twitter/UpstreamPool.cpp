// Pooled keep-alive upstream sessions; see UpstreamPool.h.
#include "birdgate/twitter/UpstreamPool.h"

#include <Poco/Exception.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <poll.h>
#include <strings.h>

namespace birdgate
{

std::optional<UpstreamTarget> parseUpstreamUrl(const std::string& url, std::string& path)
{
    try
    {
        Poco::URI uri(url);
        if ((uri.getScheme() != "http" && uri.getScheme() != "https") || uri.getHost().empty() ||
            !uri.getQuery().empty() || !uri.getFragment().empty())
            return std::nullopt;
        path = uri.getPath();
        return UpstreamTarget{uri.getScheme(), uri.getHost(), uri.getPort()};
    }
    catch (const Poco::Exception&)
    {
        return std::nullopt;
    }
}

std::string UpstreamResponse::header(const std::string& name) const
{
    for (const auto& [k, v] : headers)
        if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return {};
}

UpstreamPool::UpstreamPool(size_t maxIdlePerTarget) : _maxIdle(maxIdlePerTarget) {}

UpstreamPool::~UpstreamPool() = default;

Poco::Net::Context::Ptr UpstreamPool::tlsContext()
{
    // One context for the process: loads the system CA bundle once. A
    // certificate that fails verification is rejected (never prompted for,
    // which is what Poco's default console handler would do).
    static Poco::Net::Context::Ptr context = [] {
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                             Poco::Net::Context::VERIFY_RELAXED, 9, true);
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, ctx);
        return ctx;
    }();
    return context;
}

std::string UpstreamPool::keyOf(const UpstreamTarget& target)
{
    return target.scheme + "://" + target.host + ":" + std::to_string(target.port);
}

std::unique_ptr<Poco::Net::HTTPClientSession> UpstreamPool::connect(const UpstreamTarget& target,
                                                                    Poco::Timespan timeout)
{
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (target.scheme == "https")
        session = std::make_unique<Poco::Net::HTTPSClientSession>(target.host, static_cast<Poco::UInt16>(target.port),
                                                                  tlsContext());
    else
        session = std::make_unique<Poco::Net::HTTPClientSession>(target.host, static_cast<Poco::UInt16>(target.port));
    session->setKeepAlive(true);
    session->setTimeout(timeout, timeout, timeout);
    // Keep-alive connections are reused as long as the upstream allows; Poco
    // would otherwise drop them after 8 s idle.
    session->setKeepAliveTimeout(Poco::Timespan(60, 0));
    return session;
}

UpstreamPool::SessionPtr UpstreamPool::acquire(const UpstreamTarget& target, Poco::Timespan timeout, bool& reused)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        auto it = _idle.find(keyOf(target));
        while (it != _idle.end() && !it->second.empty())
        {
            SessionPtr s = std::move(it->second.back());
            it->second.pop_back();
            // An idle connection the upstream has closed is readable (EOF):
            // drop it rather than find out after sending a request on it.
            // (One poll(2) on the fd: Poco's Socket::poll costs an epoll
            // instance per call, four syscalls on every proxied request.)
            pollfd pfd{s->socket().impl()->sockfd(), POLLIN, 0};
            if (pfd.fd < 0 || ::poll(&pfd, 1, 0) != 0) continue;
            s->setTimeout(timeout, timeout, timeout);
            reused = true;
            return s;
        }
    }
    reused = false;
    return connect(target, timeout);
}

void UpstreamPool::release(const UpstreamTarget& target, SessionPtr session)
{
    std::lock_guard<std::mutex> lock(_mutex);
    auto& list = _idle[keyOf(target)];
    if (list.size() < _maxIdle) list.push_back(std::move(session));
}

size_t UpstreamPool::idleCount() const
{
    std::lock_guard<std::mutex> lock(_mutex);
    size_t n = 0;
    for (const auto& [k, v] : _idle) n += v.size();
    return n;
}

UpstreamResponse UpstreamPool::send(const UpstreamTarget& target, Poco::Net::HTTPRequest& request,
                                    const std::string& body, Poco::Timespan timeout)
{
    for (int attempt = 0;; ++attempt)
    {
        bool reused = false;
        SessionPtr session;
        bool answerStarted = false;
        try
        {
            session = acquire(target, timeout, reused);
            request.setKeepAlive(true);
            if (!body.empty() || request.getMethod() == "POST" || request.getMethod() == "PUT" ||
                request.getMethod() == "PATCH")
                request.setContentLength(static_cast<std::streamsize>(body.size()));
            std::ostream& out = session->sendRequest(request);
            // A POST's headers and body leave in two sends: no Nagle delay
            // between them (set once, when the connection is new).
            if (!reused) session->socket().setNoDelay(true);
            out.write(body.data(), static_cast<std::streamsize>(body.size()));
            Poco::Net::HTTPResponse response;
            std::istream& in = session->receiveResponse(response);
            answerStarted = true;
            UpstreamResponse result;
            result.status = static_cast<int>(response.getStatus());
            result.reason = response.getReason();
            for (const auto& [k, v] : response) result.headers.emplace_back(k, v);
            if (response.hasContentLength() && response.getContentLength() > 0)
                result.body.reserve(static_cast<size_t>(response.getContentLength()));
            Poco::StreamCopier::copyToString(in, result.body);
            if (in.bad()) throw Poco::Net::NetException("upstream answer cut short");
            if (response.getKeepAlive() && session->connected()) release(target, std::move(session));
            return result;
        }
        catch (const Poco::TimeoutException& e)
        {
            throw UpstreamTimeout("upstream " + keyOf(target) + " did not answer in time");
        }
        catch (const Poco::Exception& e)
        {
            // A pooled connection the upstream closed while idle fails on the
            // first write or read: try once more on a fresh one, but only for
            // a request that may be repeated (a POST may have been acted on:
            // statuses/update would tweet twice).
            const std::string& m = request.getMethod();
            bool idempotent = m == "GET" || m == "HEAD" || m == "PUT" || m == "DELETE" || m == "OPTIONS";
            if (reused && !answerStarted && attempt == 0 && idempotent) continue;
            throw UpstreamUnreachable("upstream " + keyOf(target) + " unreachable: " + e.displayText());
        }
        catch (const std::exception& e)
        {
            throw UpstreamUnreachable("upstream " + keyOf(target) + " unreachable: " + e.what());
        }
    }
}

} // namespace birdgate
