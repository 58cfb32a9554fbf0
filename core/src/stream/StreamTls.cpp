// streamTlsContext(); see StreamTls.h.
#include "stream/StreamTls.h"

#include <Poco/Net/InvalidCertificateHandler.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

namespace birdgate
{

Poco::Net::Context::Ptr streamTlsContext()
{
    // Loads the system CA bundle once. A certificate that fails verification
    // is rejected (never prompted for, which is what Poco's default console
    // handler would do).
    static Poco::Net::Context::Ptr context = [] {
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                                             Poco::Net::Context::VERIFY_RELAXED, 9, true);
        Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
        Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, ctx);
        return ctx;
    }();
    return context;
}

} // namespace birdgate
