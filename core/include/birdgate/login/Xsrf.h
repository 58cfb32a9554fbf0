// XSRF protection (DESIGN.md 3.4), Tornado/Gramex style: unsafe methods must
// echo the `_xsrf` cookie in the `_xsrf` form field or an X-Xsrftoken /
// X-Csrftoken header, unless the request says it came from the same origin
// (X-Requested-With: XMLHttpRequest, which a cross-site form cannot send, or
// Sec-Fetch-Site: same-origin). GET answers of protected endpoints set the
// cookie when the browser has none.
//
// It reads a library-free Request and writes an Answer, so it serves the
// coroutine endpoints whatever server carries them. Pure functions: no I/O.
#pragma once

#include "birdgate/server/Answer.h"
#include "birdgate/server/Request.h"

#include <string>
#include <string_view>

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
    static bool passesByHeaders(const Request& request);

    /// True when `formToken` (the `_xsrf` form field) equals the cookie.
    static bool passesByForm(const Request& request, const std::string& formToken);

    /// The request's `_xsrf` cookie (the first, over every Cookie header), or
    /// "" when absent or of an implausible length.
    static std::string cookie(const Request& request);

    /// Adds a fresh `_xsrf` cookie (readable by page scripts, SameSite=Lax).
    static void issue(Answer& answer, bool secure);

    /// The value of cookie `name` in Cookie header(s) `headers`, or "".
    static std::string cookieValue(const HeaderFields& headers, std::string_view name);
};

} // namespace birdgate
