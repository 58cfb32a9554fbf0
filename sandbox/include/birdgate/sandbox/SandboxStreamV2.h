// The sandbox's X API v2 filtered stream (DESIGN.md 6):
// GET 2/tweets/search/stream and GET/POST 2/tweets/search/stream/rules.
//
// Both take an app-only bearer (the tokens oauth2/token mints; anything else
// is X's 401 "Unauthorized", an OAuth 1.0a user signature X's 403
// unsupported-authentication). Rules live per app (SandboxRules). The
// stream validates tweet.fields, user.fields, expansions and
// backfill_minutes as X does (400 invalid-request naming the value), allows
// one connection per app (429 TooManyConnections), then hands SandboxStream
// a Filter whose v2 callback renders each message: a synthetic tweet built
// to match one of the app's rules (taken in turn), with the requested fields,
// `includes.users` for expansions=author_id, and `matching_rules` listing
// every rule it matches. The rules are re-read when they change, so a change
// reaches the open connection at its next tweet. Pacing, keep-alives and
// the `_control/stream` faults are SandboxStream's, shared with v1.1; a
// `status` fault answers with X's problem JSON for that status (403:
// client-forbidden, 429: TooManyConnections, others: a ServiceUnavailable).
#pragma once

#include "birdgate/sandbox/SandboxData.h"
#include "birdgate/sandbox/SandboxOAuth.h"
#include "birdgate/sandbox/SandboxRules.h"
#include "birdgate/sandbox/SandboxStream.h"
#include "birdgate/twitter/OAuth1.h"

#include <optional>
#include <string>

namespace birdgate
{

class SandboxStreamV2
{
  public:
    SandboxStreamV2(const SandboxData& data, SandboxOAuth& oauth, SandboxStream& stream);

    /// What the route answers: a JSON body, or a stream to serve.
    struct Reply
    {
        int status = 200;
        std::string body;
        std::optional<SandboxStream::Filter> stream;
    };

    /// GET / POST 2/tweets/search/stream/rules.
    Reply rulesEndpoint(const std::string& authorization, const std::string& method, const oauth1::Params& query,
                        const std::string& body);
    /// GET 2/tweets/search/stream.
    Reply connect(const std::string& authorization, const oauth1::Params& query);

    SandboxRules& rules() { return _rules; }

    /// The fields a connection asked for (validated).
    struct Fields
    {
        std::vector<std::string> tweet;
        std::vector<std::string> user;
        bool expandAuthor = false;
    };

    /// One message for tweet `n` of a connection of `app`: a JSON line with
    /// "\r\n", or "" when the app has no rule a tweet can match.
    std::string render(const std::string& app, const Fields& fields, std::uint64_t id, long long epochMillis,
                       std::uint64_t n) const;

  private:
    /// The app of a valid bearer, or the error reply.
    std::optional<std::string> appOf(const std::string& authorization, Reply& refusal) const;

    const SandboxData& _data;
    SandboxOAuth& _oauth;
    SandboxStream& _stream;
    SandboxRules _rules;
};

} // namespace birdgate
