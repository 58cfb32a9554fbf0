// The X API v2 vocabulary the sandbox shares; see SandboxV2Json.h.
#include "SandboxV2Json.h"

#include "birdgate/common/HttpErrors.h"

#include <cstdio>
#include <ctime>

namespace birdgate::sandboxv2
{
namespace
{
const std::set<std::string> TWEET_FIELDS = {"attachments",
                                            "author_id",
                                            "card_uri",
                                            "context_annotations",
                                            "conversation_id",
                                            "created_at",
                                            "edit_controls",
                                            "edit_history_tweet_ids",
                                            "entities",
                                            "geo",
                                            "id",
                                            "in_reply_to_user_id",
                                            "lang",
                                            "non_public_metrics",
                                            "note_tweet",
                                            "organic_metrics",
                                            "possibly_sensitive",
                                            "promoted_metrics",
                                            "public_metrics",
                                            "referenced_tweets",
                                            "reply_settings",
                                            "source",
                                            "text",
                                            "withheld"};
const std::set<std::string> USER_FIELDS = {"affiliation",
                                           "connection_status",
                                           "created_at",
                                           "description",
                                           "entities",
                                           "id",
                                           "location",
                                           "most_recent_tweet_id",
                                           "name",
                                           "pinned_tweet_id",
                                           "profile_banner_url",
                                           "profile_image_url",
                                           "protected",
                                           "public_metrics",
                                           "receives_your_dm",
                                           "subscription_type",
                                           "url",
                                           "username",
                                           "verified",
                                           "verified_type",
                                           "withheld"};
const std::set<std::string> TWEET_EXPANSIONS = {
    "attachments.media_keys", "attachments.poll_ids",       "author_id",
    "edit_history_tweet_ids", "entities.mentions.username", "geo.place_id",
    "in_reply_to_user_id",    "referenced_tweets.id",       "referenced_tweets.id.author_id"};
const std::set<std::string> USER_EXPANSIONS = {"affiliation.user_id", "most_recent_tweet_id", "pinned_tweet_id"};
} // namespace

const std::set<std::string>& tweetFields()
{
    return TWEET_FIELDS;
}

const std::set<std::string>& userFields()
{
    return USER_FIELDS;
}

const std::set<std::string>& tweetExpansions()
{
    return TWEET_EXPANSIONS;
}

const std::set<std::string>& userExpansions()
{
    return USER_EXPANSIONS;
}

std::string isoTime(long long epochMillis)
{
    std::time_t t = static_cast<std::time_t>(epochMillis / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, epochMillis % 1000);
    return buf;
}

std::string problemJson(const std::string& title, const std::string& detail, const std::string& type, int status,
                        const std::string& errors)
{
    std::string out = "{";
    if (!errors.empty()) out += "\"errors\":" + errors + ",";
    out += "\"title\":";
    jsonQuoteTo(out, title);
    out += ",\"detail\":";
    jsonQuoteTo(out, detail);
    out += ",\"type\":";
    jsonQuoteTo(out, type);
    return out + ",\"status\":" + std::to_string(status) + "}";
}

std::string invalidParameterJson(const std::string& name, const std::string& value, const std::string& message)
{
    std::string errors = "[{\"parameters\":{";
    jsonQuoteTo(errors, name);
    errors += ":[";
    jsonQuoteTo(errors, value);
    errors += "]},\"message\":";
    jsonQuoteTo(errors, message);
    errors += "}]";
    return problemJson("Invalid Request", "One or more parameters to your request was invalid.",
                       "https://api.twitter.com/2/problems/invalid-request", 400, errors);
}

} // namespace birdgate::sandboxv2
