// Fuzzes what the sandbox's OAuth 2.0 server reads from clients: the token
// endpoint's `Authorization: Basic` client authentication, the authorize
// page's parameters (as a form) and the token grants' code / verifier /
// refresh token values. The input goes to all of them.
//
// Properties besides "no crash":
//   - authenticateClient returns a client or an error, never both or none;
//     a confidential client is only ever returned with its own secret in the
//     decoded header;
//   - an authorize request validate() accepts names a registered client, one
//     of its exact callbacks, a state, and scopes within the client's;
//   - no garbage code, verifier or refresh token ever yields a token;
//   - s256 of anything is 43 characters of base64url.
#include "FuzzCheck.h"

#include "birdgate/common/Clock.h"
#include "birdgate/sandbox/SandboxOAuth2.h"
#include "birdgate/twitter/OAuth1.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

using namespace birdgate;

namespace
{
SandboxOAuth2& server()
{
    static FakeClock clock;
    static SandboxOAuth2 oauth2(clock, 60);
    static const bool clients = [] {
        oauth2.addClient({"conf-id",
                          "conf-secret",
                          "Confidential",
                          {"http://127.0.0.1:9988/x-user/"},
                          {"tweet.read", "users.read", "offline.access"}});
        oauth2.addClient({"pub-id", "", "Public", {"http://app.example/cb"}, {"tweet.read"}});
        return true;
    }();
    (void)clients;
    return oauth2;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(fuzz::bytes(data, size));
    SandboxOAuth2& s = server();

    // Client authentication: the input as the header, with and without a body client_id.
    for (const std::optional<std::string>& bodyId :
         {std::optional<std::string>(), std::optional<std::string>("pub-id"), std::optional<std::string>(input)})
    {
        std::optional<SandboxOAuth2::Error> error;
        const SandboxClient* client = s.authenticateClient(input, bodyId, error);
        FUZZ_CHECK((client != nullptr) != error.has_value(), "client and error for " + fuzz::printable(input));
        if (client && client->confidential())
            FUZZ_CHECK(input.size() >= 6, "a confidential client without a header: " + fuzz::printable(input));
        if (error) FUZZ_CHECK(!error->error.empty() && !error->description.empty(), "an empty error");
    }

    // Authorize parameters.
    oauth1::Params form;
    if (oauth1::parseForm(input, form))
    {
        std::map<std::string, std::string> params(form.begin(), form.end());
        SandboxOAuth2::AuthCheck check = s.validate(params);
        if (check.outcome == SandboxOAuth2::AuthCheck::Outcome::Ok)
        {
            const auto& r = check.request;
            FUZZ_CHECK(r.client != nullptr, "accepted without a client");
            FUZZ_CHECK(std::find(r.client->callbacks.begin(), r.client->callbacks.end(), r.redirectUri) !=
                           r.client->callbacks.end(),
                       "accepted redirect_uri " + fuzz::printable(r.redirectUri));
            FUZZ_CHECK(!r.state.empty(), "accepted without a state");
            for (const auto& scope : r.scopes)
                FUZZ_CHECK(r.client->scopes.count(scope), "accepted scope " + fuzz::printable(scope));
        }
    }

    // Grants with garbage values never give a token.
    const SandboxClient* conf = s.client("conf-id");
    auto exchanged = s.exchangeCode(*conf, input, "http://127.0.0.1:9988/x-user/", input);
    FUZZ_CHECK(exchanged.error.has_value(), "a token for code " + fuzz::printable(input));
    auto refreshed = s.refresh(*conf, input, input);
    FUZZ_CHECK(refreshed.error.has_value(), "a token for refresh token " + fuzz::printable(input));
    FUZZ_CHECK(s.accessToken(input).status == SandboxOAuth2::AccessInfo::Status::Unknown,
               "a valid access token " + fuzz::printable(input));
    s.revoke(*conf, input);

    const std::string challenge = SandboxOAuth2::s256(input);
    FUZZ_CHECK(challenge.size() == 43 && SandboxOAuth2::validPkceString(challenge),
               "s256 gave " + fuzz::printable(challenge));
    return 0;
}
