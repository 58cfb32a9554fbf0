// The HTTP side of the sandbox's OAuth 2.0 server (DESIGN.md 6): the
// authorize page `i/oauth2/authorize`, the token endpoint `2/oauth2/token`
// and `2/oauth2/revoke`. The rules live in SandboxOAuth2; this file only
// reads parameters and renders what X renders: an HTML page with Authorize
// and Cancel, 302 redirects to the registered callback, RFC 6749 JSON.
//
// Refusals follow RFC 6749 4.1.2.1 as X applies it: an unknown client or a
// redirect_uri that is not registered gets an error page (redirecting there
// would make the sandbox an open redirector); every other refusal (bad scope,
// missing state or challenge, Cancel) redirects to the callback with
// `error=` and the `state`. No code, token or secret is ever logged.
#include "birdgate/sandbox/TwitterSandbox.h"

#include "SandboxCall.h"

#include <map>

namespace birdgate
{
namespace
{
const char* AUTHORIZE_PARAMS[] = {"response_type", "client_id",      "redirect_uri",         "scope",
                                  "state",         "code_challenge", "code_challenge_method"};

// What each scope lets the app do, for the authorize page.
std::string scopeLabel(const std::string& scope)
{
    static const std::map<std::string, std::string> LABELS = {
        {"tweet.read", "read posts"},
        {"tweet.write", "post and delete posts"},
        {"users.read", "read profiles"},
        {"follows.read", "read who you follow and who follows you"},
        {"offline.access", "stay connected (refresh tokens)"}};
    auto it = LABELS.find(scope);
    return it == LABELS.end() ? scope : scope + ": " + it->second;
}
} // namespace

void TwitterSandbox::oauth2Error(Call& call, const SandboxOAuth2::Error& error)
{
    std::string out = "{\"error\":";
    jsonQuoteTo(out, error.error);
    out += ",\"error_description\":";
    jsonQuoteTo(out, error.description);
    out += "}";
    call.answer.set("Cache-Control", "no-store");
    call.answer.set("Pragma", "no-cache");
    call.send(400, JSON_TYPE, out);
}

void TwitterSandbox::oauth2Authorize(Call& call)
{
    const bool post = call.request.method == "POST";
    std::map<std::string, std::string> params;
    for (const char* name : AUTHORIZE_PARAMS)
        if (auto v = call.param(name)) params[name] = *v;
    SandboxOAuth2::AuthCheck check = _oauth2.validate(params);
    using Outcome = SandboxOAuth2::AuthCheck::Outcome;
    if (check.outcome == Outcome::ErrorPage)
        return sendPage(call, 400,
                        pageShell("Invalid authorization request",
                                  "<h1>This login link is not valid</h1>\n<p class=\"error\">" +
                                      htmlEscape(check.error) +
                                      "</p>\n<p>Go back to the application: its OAuth 2.0 settings do not match "
                                      "this sandbox's apps.</p>"));
    const SandboxOAuth2::AuthRequest& r = check.request;
    auto redirect = [&](const std::string& query) {
        call.answer.set("Location", withQuery(r.redirectUri, query));
        call.answer.set("Cache-Control", "no-store");
        call.send(302, "text/html; charset=utf-8", "");
    };
    auto withState = [&](std::string query) {
        if (!r.state.empty()) query += "&state=" + oauth1::percentEncode(r.state);
        return query;
    };
    if (check.outcome == Outcome::Redirect)
        return redirect(withState("error=" + oauth1::percentEncode(check.error) +
                                  "&error_description=" + oauth1::percentEncode(check.description)));
    auto approve = [&](const std::string& screenName) {
        rememberName(screenName);
        std::string code = _oauth2.issueCode(r, screenName);
        redirect("state=" + oauth1::percentEncode(r.state) + "&code=" + oauth1::percentEncode(code));
    };

    std::string problemText;
    if (post)
    {
        std::string action = call.param("action").value_or("");
        if (action == "cancel")
            return redirect(withState("error=access_denied&error_description=" +
                                      oauth1::percentEncode("The user cancelled the authorization.")));
        if (action == "authorize")
        {
            std::string name = trimmed(call.param("other_screen_name").value_or(""));
            if (name.empty()) name = call.param("screen_name").value_or("");
            if (!name.empty() && name[0] == '@') name.erase(0, 1);
            if (SandboxData::validScreenName(name)) return approve(name);
            problemText = "Choose a user: a screen name is 1 to 15 letters, digits or underscores.";
        }
        else
            problemText = "Press Authorize or Cancel.";
    }
    else if (!_autoApprove.empty())
        return approve(_autoApprove);

    const std::string appName = r.client->name.empty() ? r.client->clientId : r.client->name;
    std::string body = "<h1>Authorize <span class=\"app\">" + htmlEscape(appName) +
                       "</span> to access your X account?</h1>\n<p>This is the birdgate X sandbox (OAuth 2.0): no "
                       "real account is involved. The application asks to:</p>\n<ul class=\"scopes\">\n";
    for (const auto& s : r.scopes) body += "<li>" + htmlEscape(scopeLabel(s)) + "</li>\n";
    body += "</ul>\n";
    if (!problemText.empty()) body += "<p class=\"error\">" + htmlEscape(problemText) + "</p>\n";
    body += "<form method=\"post\" action=\"\">\n";
    for (const auto& [k, v] : params)
        body += "<input type=\"hidden\" name=\"" + htmlEscape(k) + "\" value=\"" + htmlEscape(v) + "\">\n";
    body += signInChoices();
    sendPage(call, problemText.empty() ? 200 : 400, pageShell("Authorize " + appName + " - birdgate sandbox", body));
}

void TwitterSandbox::oauth2CodeToken(Call& call)
{
    if (!startsWithNoCase(call.request.contentType(), "application/x-www-form-urlencoded"))
        return oauth2Error(call, {"invalid_request", "the body must be application/x-www-form-urlencoded"});
    std::optional<SandboxOAuth2::Error> error;
    const SandboxClient* client =
        _oauth2.authenticateClient(call.request.header("Authorization"), call.param("client_id"), error);
    if (!client) return oauth2Error(call, *error);
    std::string grant = call.param("grant_type").value_or("");
    SandboxOAuth2::TokenResult result;
    if (grant == "authorization_code")
        result = _oauth2.exchangeCode(*client, call.param("code").value_or(""), call.param("redirect_uri").value_or(""),
                                      call.param("code_verifier").value_or(""));
    else if (grant == "refresh_token")
        result = _oauth2.refresh(*client, call.param("refresh_token").value_or(""), call.param("scope"));
    else
        return oauth2Error(call,
                           {"invalid_request", grant.empty() ? "grant_type is required"
                                                             : "grant_type must be authorization_code or "
                                                               "refresh_token (client_credentials: oauth2/token)"});
    if (result.error) return oauth2Error(call, *result.error);
    const auto& a = result.answer;
    std::string out = "{\"token_type\":\"bearer\",\"expires_in\":" + std::to_string(a.expiresIn) + ",\"access_token\":";
    jsonQuoteTo(out, a.accessToken);
    out += ",\"scope\":";
    jsonQuoteTo(out, a.scope);
    if (!a.refreshToken.empty())
    {
        out += ",\"refresh_token\":";
        jsonQuoteTo(out, a.refreshToken);
    }
    out += "}";
    call.answer.set("Cache-Control", "no-store");
    call.answer.set("Pragma", "no-cache");
    call.json(out);
}

void TwitterSandbox::oauth2Revoke(Call& call)
{
    if (!startsWithNoCase(call.request.contentType(), "application/x-www-form-urlencoded"))
        return oauth2Error(call, {"invalid_request", "the body must be application/x-www-form-urlencoded"});
    std::optional<SandboxOAuth2::Error> error;
    const SandboxClient* client =
        _oauth2.authenticateClient(call.request.header("Authorization"), call.param("client_id"), error);
    if (!client) return oauth2Error(call, *error);
    std::string token = call.param("token").value_or("");
    if (token.empty()) return oauth2Error(call, {"invalid_request", "token is required"});
    _oauth2.revoke(*client, token); // unknown tokens answer the same (RFC 7009 2.2)
    call.json("{\"revoked\":true}");
}

} // namespace birdgate
