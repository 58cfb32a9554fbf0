// XSRF protection (DESIGN.md 3.4), Tornado/Gramex style: unsafe methods must
// echo the `_xsrf` cookie in the `_xsrf` form field or an X-Xsrftoken /
// X-Csrftoken header, unless the request says it came from the same origin
// (X-Requested-With: XMLHttpRequest, which a cross-site form cannot send, or
// Sec-Fetch-Site: same-origin). GET answers of protected endpoints set the
// cookie when the browser has none.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

namespace birdgate
{

class Xsrf
{
public:
    static constexpr const char* COOKIE = "_xsrf";

    /// True for POST, PUT, PATCH, DELETE.
    static bool unsafeMethod(const std::string& method);

    /// True when headers alone satisfy the check (same-origin markers, or a
    /// header token equal to the cookie).
    static bool passesByHeaders(const Poco::Net::HTTPServerRequest& request);

    /// True when `formToken` (the `_xsrf` form field) equals the cookie.
    static bool passesByForm(const Poco::Net::HTTPServerRequest& request, const std::string& formToken);

    /// The request's `_xsrf` cookie, or "".
    static std::string cookie(const Poco::Net::HTTPServerRequest& request);

    /// Sets a fresh `_xsrf` cookie (readable by page scripts, SameSite=Lax).
    static void issue(Poco::Net::HTTPServerResponse& response, bool secure);
};

} // namespace birdgate
