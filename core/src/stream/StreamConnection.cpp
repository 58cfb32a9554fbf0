// StreamConnection; see StreamConnection.h.
#include "stream/StreamConnection.h"

#include "stream/StreamTls.h"

#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <sys/socket.h>

namespace birdgate
{

StreamConnection::StreamConnection(UpstreamTarget target, Poco::Timespan connectTimeout, Poco::Timespan receiveTimeout)
    : _target(std::move(target)), _connectTimeout(connectTimeout), _receiveTimeout(receiveTimeout)
{
}

StreamConnection::~StreamConnection()
{
    {
        // Unpublish first: after this, interrupt() cannot touch a descriptor
        // that close() below is about to free for reuse.
        std::lock_guard lock(_mutex);
        _fd = -1;
    }
    _session.reset();
    try
    {
        _socket.close();
    }
    catch (...)
    {
    }
}

void StreamConnection::open()
{
    Poco::Net::SocketAddress address(_target.host, static_cast<Poco::UInt16>(_target.port));
    _socket = Poco::Net::StreamSocket(address.family()); // the descriptor exists from here on
    {
        std::lock_guard lock(_mutex);
        if (_interrupted) throw Poco::Net::NetException("interrupted");
        _fd = static_cast<int>(_socket.impl()->sockfd());
    }
    _socket.connect(address, _connectTimeout);
    _socket.setReceiveTimeout(_receiveTimeout);
    _socket.setSendTimeout(_connectTimeout);
    _socket.setNoDelay(true);
    if (_target.scheme == "https")
    {
        // Handshake over the same descriptor, so interrupt() still reaches it.
        Poco::Net::SecureStreamSocket secure =
            Poco::Net::SecureStreamSocket::attach(_socket, _target.host, streamTlsContext());
        _session = std::make_unique<Poco::Net::HTTPSClientSession>(secure);
    }
    else
    {
        _session = std::make_unique<Poco::Net::HTTPClientSession>(_socket);
    }
    _session->setTimeout(_connectTimeout, _connectTimeout, _receiveTimeout);
    _session->setKeepAlive(true);
    std::lock_guard lock(_mutex);
    if (_interrupted) throw Poco::Net::NetException("interrupted");
}

Poco::Net::HTTPClientSession& StreamConnection::session()
{
    if (!_session) throw Poco::IllegalStateException("StreamConnection::session() before open()");
    return *_session;
}

void StreamConnection::interrupt()
{
    std::lock_guard lock(_mutex);
    _interrupted = true;
    if (_fd >= 0) ::shutdown(_fd, SHUT_RDWR);
}

bool StreamConnection::interrupted() const
{
    std::lock_guard lock(_mutex);
    return _interrupted;
}

} // namespace birdgate
