// SandboxRules; see SandboxRules.h for the syntax and the answers.
//
// The parser is a tokenizer (words, "phrases", operators with their values,
// parentheses, OR, the '-' glued to a term) followed by recursive descent:
// or := and ('OR' and)*, and := unary+, unary := '-'? (group | term). Error
// positions are 1-based character offsets into the rule, as X reports them.
#include "birdgate/sandbox/SandboxRules.h"

#include "birdgate/common/HttpErrors.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>

namespace birdgate
{

namespace
{
const char* INVALID_TYPE = "https://api.twitter.com/2/problems/invalid-rules";
const char* DUPLICATE_TYPE = "https://api.twitter.com/2/problems/duplicate-rules";

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isWordChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

std::string at(std::size_t position)
{
    return " (at position " + std::to_string(position) + ")";
}

struct Token
{
    enum class Type
    {
        Term,
        Open,
        Close,
        Or,
        End
    };
    Type type = Type::End;
    std::size_t position = 0; // 1-based
    bool negated = false;
    bool quoted = false;
    std::string text; // as written (without quotes; escapes resolved)
};

class RuleParser
{
  public:
    explicit RuleParser(std::string_view text) : _text(text) {}

    SandboxRules::Parsed run()
    {
        SandboxRules::Parsed out;
        try
        {
            tokenize();
            if (_tokens.size() == 1) fail("Rules must not be empty", 1);
            auto root = std::make_shared<RuleNode>(parseOr());
            if (peek().type == Token::Type::Close) fail("Unmatched parenthesis", peek().position);
            if (peek().type != Token::Type::End) fail("Unexpected input", peek().position);
            if (!positive(*root))
                fail(hasPositive(*root) ? "Rules must contain at least one positive term that "
                                          "is not lang:, has: or is: in every OR branch"
                                        : "Rules must contain a non-negation term",
                     1);
            out.root = std::move(root);
        }
        catch (const std::invalid_argument& e)
        {
            out.error = e.what();
        }
        return out;
    }

  private:
    [[noreturn]] void fail(const std::string& what, std::size_t position) const
    {
        throw std::invalid_argument(what + at(position));
    }

    void tokenize()
    {
        std::size_t i = 0;
        const std::size_t n = _text.size();
        while (true)
        {
            while (i < n && isSpace(_text[i])) ++i;
            Token t;
            t.position = i + 1;
            if (i >= n)
            {
                _tokens.push_back(t);
                return;
            }
            if (_text[i] == '-')
            {
                t.negated = true;
                ++i;
                if (i >= n || isSpace(_text[i]) || _text[i] == ')')
                    fail("A negation must be glued to the term it negates", t.position);
                if (_text[i] == '-') fail("Double negation is not allowed", t.position);
            }
            char c = _text[i];
            if (c == '(')
            {
                t.type = Token::Type::Open;
                ++i;
            }
            else if (c == ')')
            {
                t.type = Token::Type::Close;
                ++i;
            }
            else if (c == '"')
            {
                t.type = Token::Type::Term;
                t.quoted = true;
                ++i;
                bool closed = false;
                while (i < n)
                {
                    if (_text[i] == '\\' && i + 1 < n)
                    {
                        t.text += _text[i + 1];
                        i += 2;
                        continue;
                    }
                    if (_text[i] == '"')
                    {
                        closed = true;
                        ++i;
                        break;
                    }
                    t.text += _text[i++];
                }
                if (!closed) fail("Unterminated quoted phrase", t.position);
                if (t.text.find_first_not_of(" \t\r\n") == std::string::npos)
                    fail("Quoted phrases must not be empty", t.position);
            }
            else
            {
                t.type = Token::Type::Term;
                std::size_t start = i;
                while (i < n && !isSpace(_text[i]) && _text[i] != '(' && _text[i] != ')' && _text[i] != '"')
                {
                    // bounding_box:[a b c d] and point_radius:[...] hold spaces.
                    if (_text[i] == '[')
                    {
                        std::size_t close = _text.find(']', i);
                        if (close == std::string_view::npos) fail("Unmatched bracket", i + 1);
                        i = close + 1;
                        continue;
                    }
                    ++i;
                }
                t.text = std::string(_text.substr(start, i - start));
                if (t.text == "OR" && !t.negated) t.type = Token::Type::Or;
            }
            _tokens.push_back(std::move(t));
        }
    }

    const Token& peek() const { return _tokens[_at]; }
    const Token& next() { return _tokens[_at++]; }

    RuleNode parseOr()
    {
        RuleNode first = parseAnd();
        if (peek().type != Token::Type::Or) return first;
        RuleNode node;
        node.kind = RuleNode::Kind::Or;
        node.children.push_back(std::move(first));
        while (peek().type == Token::Type::Or)
        {
            const Token& orToken = next();
            if (peek().type == Token::Type::End || peek().type == Token::Type::Close || peek().type == Token::Type::Or)
                fail("OR must sit between two terms", orToken.position);
            node.children.push_back(parseAnd());
        }
        return node;
    }

    RuleNode parseAnd()
    {
        RuleNode node;
        node.kind = RuleNode::Kind::And;
        while (peek().type == Token::Type::Term || peek().type == Token::Type::Open)
            node.children.push_back(parseUnary());
        if (node.children.empty())
        {
            if (peek().type == Token::Type::Or) fail("OR must sit between two terms", peek().position);
            if (peek().type == Token::Type::Close) fail("Unmatched parenthesis", peek().position);
            fail("Expected a term", peek().position);
        }
        if (node.children.size() == 1) return std::move(node.children[0]);
        return node;
    }

    RuleNode parseUnary()
    {
        const Token& t = next();
        if (t.type == Token::Type::Open)
        {
            if (peek().type == Token::Type::Close) fail("Parentheses must not be empty", t.position);
            RuleNode inner = parseOr();
            if (peek().type != Token::Type::Close) fail("Unmatched parenthesis", t.position);
            next();
            if (t.negated) inner.negated = !inner.negated;
            return inner;
        }
        return term(t);
    }

    RuleNode term(const Token& t)
    {
        RuleNode node;
        node.negated = t.negated;
        if (t.quoted)
        {
            node.kind = RuleNode::Kind::Phrase;
            node.text = lower(t.text);
            return node;
        }
        std::size_t colon = t.text.find(':');
        if (colon == std::string::npos || colon == 0 || t.text[0] == '#' || t.text[0] == '@' ||
            t.text.rfind("http", 0) == 0)
        {
            node.kind = RuleNode::Kind::Word;
            node.text = lower(t.text);
            return node;
        }
        std::string op = lower(t.text.substr(0, colon));
        std::string value = t.text.substr(colon + 1);
        if (value.empty()) fail("The operator " + op + ": needs a value", t.position);
        node.text = lower(value);
        if (op == "from" || op == "to")
        {
            node.kind = op == "from" ? RuleNode::Kind::From : RuleNode::Kind::To;
            std::string v = value[0] == '@' ? value.substr(1) : value;
            bool digits = !v.empty() && v.size() <= 20 &&
                          std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
            bool name = !v.empty() && v.size() <= 15 && std::all_of(v.begin(), v.end(), [](char c) {
                return isWordChar(c) && static_cast<unsigned char>(c) < 0x80;
            });
            if (!digits && !name) fail("Invalid username or user id '" + value + "' for " + op + ":", t.position);
            node.text = lower(v);
        }
        else if (op == "lang")
        {
            node.kind = RuleNode::Kind::Lang;
            bool ok = node.text.size() >= 2 && node.text.size() <= 7 &&
                      std::all_of(node.text.begin(), node.text.end(),
                                  [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
            if (!ok) fail("Invalid language '" + value + "' for lang: (a BCP 47 code such as en)", t.position);
        }
        else if (op == "has")
        {
            node.kind = RuleNode::Kind::Has;
            static const std::set<std::string> known = {"images",   "media", "links",  "mentions",
                                                        "hashtags", "geo",   "videos", "cashtags"};
            if (!known.count(node.text)) fail("Invalid value '" + value + "' for has:", t.position);
        }
        else if (op == "is")
        {
            node.kind = RuleNode::Kind::Is;
            static const std::set<std::string> known = {"retweet", "reply", "quote", "verified", "nullcast"};
            if (!known.count(node.text)) fail("Invalid value '" + value + "' for is:", t.position);
        }
        else if (op == "url")
            node.kind = RuleNode::Kind::Url;
        else if (op == "bounding_box" || op == "point_radius")
        {
            node.kind = op == "bounding_box" ? RuleNode::Kind::BoundingBox : RuleNode::Kind::PointRadius;
            if (value.size() < 2 || value.front() != '[' || value.back() != ']')
                fail("The operator " + op + ": takes [numbers in brackets]", t.position);
            std::string inside = value.substr(1, value.size() - 2);
            const char* p = inside.c_str();
            int count = op == "bounding_box" ? 4 : 3;
            for (int k = 0; k < count; ++k)
            {
                char* end = nullptr;
                while (*p == ' ') ++p;
                if (k == 2 && op == "point_radius")
                {
                    node.box[2] = std::strtod(p, &end);
                    if (end == p || (std::string_view(end) != "km" && std::string_view(end) != "mi"))
                        fail("point_radius: takes [lng lat radius-km|mi]", t.position);
                    p = end + 2;
                    continue;
                }
                node.box[k] = std::strtod(p, &end);
                if (end == p) fail("The operator " + op + ": takes " + std::to_string(count) + " numbers", t.position);
                p = end;
            }
            while (*p == ' ') ++p;
            if (*p != '\0') fail("The operator " + op + ": takes " + std::to_string(count) + " numbers", t.position);
            if (op == "bounding_box" && !(node.box[0] >= -180 && node.box[2] <= 180 && node.box[1] >= -90 &&
                                          node.box[3] <= 90 && node.box[0] < node.box[2] && node.box[1] < node.box[3]))
                fail("bounding_box: [west_long south_lat east_long north_lat] must be a box on the globe", t.position);
        }
        else
            fail("Reference to invalid operator '" + op +
                     "'. Operator is not available in current product or product packaging",
                 t.position);
        return node;
    }

    // A positive term that stands alone (not lang:, has:, is:), in every OR branch.
    static bool positive(const RuleNode& n)
    {
        if (n.negated) return false;
        switch (n.kind)
        {
        case RuleNode::Kind::Lang:
        case RuleNode::Kind::Has:
        case RuleNode::Kind::Is:
            return false;
        case RuleNode::Kind::And:
            return std::any_of(n.children.begin(), n.children.end(), [](const RuleNode& c) { return positive(c); });
        case RuleNode::Kind::Or:
            return std::all_of(n.children.begin(), n.children.end(), [](const RuleNode& c) { return positive(c); });
        default:
            return true;
        }
    }

    static bool hasPositive(const RuleNode& n)
    {
        if (n.negated) return false;
        if (n.kind != RuleNode::Kind::And && n.kind != RuleNode::Kind::Or) return true;
        return std::any_of(n.children.begin(), n.children.end(), [](const RuleNode& c) { return hasPositive(c); });
    }

    std::string_view _text;
    std::vector<Token> _tokens;
    std::size_t _at = 0;
};

// Whole-token, case-insensitive containment (`needle` is lower case).
bool containsToken(const std::string& haystackLower, const std::string& needle)
{
    if (needle.empty()) return false;
    for (std::size_t at = haystackLower.find(needle); at != std::string::npos; at = haystackLower.find(needle, at + 1))
    {
        bool before = at == 0 || !isWordChar(haystackLower[at - 1]) || !isWordChar(needle.front());
        std::size_t end = at + needle.size();
        bool after = end >= haystackLower.size() || !isWordChar(haystackLower[end]) || !isWordChar(needle.back());
        if (before && after) return true;
    }
    return false;
}

bool matchLower(const RuleNode& n, const RuleTweet& t, const std::string& text)
{
    bool m = false;
    switch (n.kind)
    {
    case RuleNode::Kind::Word:
    case RuleNode::Kind::Phrase:
        m = containsToken(text, n.text);
        break;
    case RuleNode::Kind::From:
        m = lower(t.author) == n.text || std::to_string(t.authorId) == n.text;
        break;
    case RuleNode::Kind::To:
        m = containsToken(text, "@" + n.text);
        break;
    case RuleNode::Kind::Lang:
        m = t.lang == n.text;
        break;
    case RuleNode::Kind::Has:
        if (n.text == "links")
            m = text.find("https://") != std::string::npos;
        else if (n.text == "mentions")
            m = text.find('@') != std::string::npos;
        else if (n.text == "hashtags")
            m = text.find('#') != std::string::npos;
        else if (n.text == "cashtags")
            m = text.find('$') != std::string::npos;
        else if (n.text == "geo")
            m = t.hasGeo;
        else if (n.text == "images")
            m = t.hasImages;
        else if (n.text == "videos")
            m = t.hasVideos;
        else
            m = t.hasImages || t.hasVideos; // media
        break;
    case RuleNode::Kind::Is:
        m = n.text == "retweet" ? t.retweet : n.text == "reply" ? t.reply : n.text == "quote" ? t.quote : false;
        break;
    case RuleNode::Kind::Url:
        m = text.find(n.text) != std::string::npos;
        break;
    case RuleNode::Kind::BoundingBox:
        m = t.hasGeo && t.lng >= n.box[0] && t.lng <= n.box[2] && t.lat >= n.box[1] && t.lat <= n.box[3];
        break;
    case RuleNode::Kind::PointRadius:
        m = t.hasGeo && std::abs(t.lng - n.box[0]) < 0.01 && std::abs(t.lat - n.box[1]) < 0.01;
        break;
    case RuleNode::Kind::And:
        m = std::all_of(n.children.begin(), n.children.end(),
                        [&](const RuleNode& c) { return matchLower(c, t, text); });
        break;
    case RuleNode::Kind::Or:
        m = std::any_of(n.children.begin(), n.children.end(),
                        [&](const RuleNode& c) { return matchLower(c, t, text); });
        break;
    }
    return n.negated ? !m : m;
}

void require(const RuleNode& n, RuleTweet& t, std::uint64_t& variant)
{
    if (n.negated) return;
    auto add = [&](const std::string& part) { t.text += (t.text.empty() ? "" : " ") + part; };
    switch (n.kind)
    {
    case RuleNode::Kind::Word:
    case RuleNode::Kind::Phrase:
        add(n.text);
        break;
    case RuleNode::Kind::From:
        if (!n.text.empty() && n.text.find_first_not_of("0123456789") == std::string::npos)
            t.authorId = std::strtoull(n.text.c_str(), nullptr, 10);
        else
            t.author = n.text;
        break;
    case RuleNode::Kind::To:
        add("@" + n.text);
        break;
    case RuleNode::Kind::Lang:
        t.lang = n.text;
        break;
    case RuleNode::Kind::Has:
        if (n.text == "links")
            add("https://t.co/sandbox");
        else if (n.text == "mentions")
            add("@sandbox_user");
        else if (n.text == "hashtags")
            add("#sandbox");
        else if (n.text == "cashtags")
            add("$BIRD");
        else if (n.text == "geo")
            t.hasGeo = true;
        else if (n.text == "videos")
            t.hasVideos = true;
        else
            t.hasImages = true;
        break;
    case RuleNode::Kind::Is:
        if (n.text == "retweet") t.retweet = true;
        if (n.text == "reply") t.reply = true;
        if (n.text == "quote") t.quote = true;
        break;
    case RuleNode::Kind::Url:
        add("https://" + n.text);
        break;
    case RuleNode::Kind::BoundingBox:
        t.hasGeo = true;
        t.lng = (n.box[0] + n.box[2]) / 2;
        t.lat = (n.box[1] + n.box[3]) / 2;
        break;
    case RuleNode::Kind::PointRadius:
        t.hasGeo = true;
        t.lng = n.box[0];
        t.lat = n.box[1];
        break;
    case RuleNode::Kind::And:
        for (const auto& c : n.children) require(c, t, variant);
        break;
    case RuleNode::Kind::Or: {
        const std::size_t k = static_cast<std::size_t>(variant % n.children.size());
        variant /= n.children.size();
        require(n.children[k], t, variant);
        break;
    }
    }
}

std::string nowIso()
{
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    return buf;
}

std::string errorJson(const std::string& value, const std::string& title, const std::string& type,
                      const std::string& details, const std::string& id)
{
    std::string out = "{\"value\":";
    jsonQuoteTo(out, value);
    if (!id.empty())
    {
        out += ",\"id\":";
        jsonQuoteTo(out, id);
    }
    if (!details.empty())
    {
        out += ",\"details\":[";
        jsonQuoteTo(out, details);
        out += "]";
    }
    out += ",\"title\":";
    jsonQuoteTo(out, title);
    out += ",\"type\":";
    jsonQuoteTo(out, type);
    return out + "}";
}

std::string problem(const std::string& title, const std::string& detail, const std::string& type)
{
    std::string out = "{\"errors\":[{\"message\":";
    jsonQuoteTo(out, detail);
    out += "}],\"title\":";
    jsonQuoteTo(out, title);
    out += ",\"detail\":";
    jsonQuoteTo(out, detail);
    out += ",\"type\":";
    jsonQuoteTo(out, type);
    return out + "}";
}

std::string ruleJson(const SandboxRules::Rule& r)
{
    std::string out = "{\"id\":";
    jsonQuoteTo(out, r.id);
    out += ",\"value\":";
    jsonQuoteTo(out, r.value);
    if (!r.tag.empty())
    {
        out += ",\"tag\":";
        jsonQuoteTo(out, r.tag);
    }
    return out + "}";
}
} // namespace

SandboxRules::Parsed SandboxRules::parse(std::string_view value)
{
    std::size_t length = 0;
    for (unsigned char c : value)
        if ((c & 0xC0) != 0x80) ++length;
    if (length > MAX_LENGTH)
        return {nullptr, "Rule length exceeds " + std::to_string(MAX_LENGTH) + " characters (found " +
                             std::to_string(length) + ")"};
    return RuleParser(value).run();
}

bool SandboxRules::matches(const RuleNode& rule, const RuleTweet& tweet)
{
    return matchLower(rule, tweet, lower(tweet.text));
}

RuleTweet SandboxRules::example(const RuleNode& rule, std::uint64_t variant)
{
    RuleTweet t;
    require(rule, t, variant);
    return t;
}

SandboxRules::Answer SandboxRules::list(const std::string& app, const std::string& ids) const
{
    std::set<std::string> wanted;
    for (std::size_t pos = 0; pos <= ids.size() && !ids.empty();)
    {
        std::size_t comma = ids.find(',', pos);
        if (comma == std::string::npos) comma = ids.size();
        if (comma > pos) wanted.insert(ids.substr(pos, comma - pos));
        pos = comma + 1;
    }
    auto snapshot = rules(app);
    std::string data;
    std::size_t count = 0;
    for (const auto& r : *snapshot)
    {
        if (!wanted.empty() && !wanted.count(r.id)) continue;
        data += (count++ ? "," : "") + ruleJson(r);
    }
    std::string out = "{";
    if (count) out += "\"data\":[" + data + "],";
    out += "\"meta\":{\"sent\":\"" + nowIso() + "\",\"result_count\":" + std::to_string(count) + "}}";
    return {200, out};
}

SandboxRules::Answer SandboxRules::change(const std::string& app, const std::string& body, bool dryRun)
{
    const char* invalidRequest = "https://api.twitter.com/2/problems/invalid-request";
    Poco::JSON::Object::Ptr root;
    try
    {
        Poco::JSON::Parser parser;
        root = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    }
    catch (const std::exception&)
    {
    }
    if (!root)
        return {400, problem("Invalid Request",
                             "The request body is not a JSON object: {\"add\": [...]} or "
                             "{\"delete\": {\"ids\": [...]}}",
                             invalidRequest)};
    const bool hasAdd = root->has("add"), hasDelete = root->has("delete");
    if (hasAdd == hasDelete)
        return {400, problem("Invalid Request", "Exactly one of add or delete must be given", invalidRequest)};
    try
    {
        if (hasAdd)
        {
            auto list = root->getArray("add");
            if (!list || list->size() == 0)
                return {400,
                        problem("Invalid Request", "add must be a non-empty list of {value, tag}", invalidRequest)};
            std::vector<std::pair<std::string, std::string>> rules;
            for (std::size_t i = 0; i < list->size(); ++i)
            {
                auto item = list->getObject(static_cast<unsigned>(i));
                if (!item || !item->get("value").isString() || (item->has("tag") && !item->get("tag").isString()))
                    return {400, problem("Invalid Request",
                                         "add[" + std::to_string(i) + "] must be {\"value\": string, \"tag\": string}",
                                         invalidRequest)};
                rules.emplace_back(item->getValue<std::string>("value"),
                                   item->has("tag") ? item->getValue<std::string>("tag") : std::string());
            }
            return add(app, rules, dryRun);
        }
        auto del = root->getObject("delete");
        auto ids = del ? del->getArray("ids") : nullptr;
        auto values = del ? del->getArray("values") : nullptr;
        if (!del || (!ids && !values) || (ids && ids->size() == 0) || (values && values->size() == 0))
            return {400, problem("Invalid Request", "delete must be {\"ids\": [...]} or {\"values\": [...]}",
                                 invalidRequest)};
        std::vector<std::string> keys;
        auto from = ids ? ids : values;
        for (std::size_t i = 0; i < from->size(); ++i)
        {
            Poco::Dynamic::Var v = from->get(static_cast<unsigned>(i));
            if (!v.isString()) return {400, problem("Invalid Request", "delete lists strings", invalidRequest)};
            keys.push_back(v.extract<std::string>());
        }
        return remove(app, keys, !ids, dryRun);
    }
    catch (const Poco::Exception&)
    {
        return {400, problem("Invalid Request", "The request body does not have the expected shape", invalidRequest)};
    }
}

SandboxRules::Answer SandboxRules::add(const std::string& app,
                                       const std::vector<std::pair<std::string, std::string>>& rules, bool dryRun)
{
    std::lock_guard lock(_mutex);
    auto current = _rules.count(app) ? _rules[app] : std::make_shared<const RuleList>();
    std::string errors;
    std::size_t valid = 0, invalid = 0;
    bool syntax = false;
    RuleList added;
    std::set<std::string> batch;
    for (const auto& [value, tag] : rules)
    {
        Parsed parsed = parse(value);
        std::string error;
        if (!parsed.root)
        {
            syntax = true;
            error = errorJson(value, "UnprocessableEntity", INVALID_TYPE, parsed.error, "");
        }
        else
        {
            auto same = std::find_if(current->begin(), current->end(), [&](const Rule& r) { return r.value == value; });
            if (same != current->end())
                error = errorJson(value, "DuplicateRule", DUPLICATE_TYPE, "", same->id);
            else if (!batch.insert(value).second)
                error = errorJson(value, "DuplicateRule", DUPLICATE_TYPE, "The same rule is given twice", "");
        }
        if (!error.empty())
        {
            ++invalid;
            errors += (errors.empty() ? "" : ",") + error;
            continue;
        }
        ++valid;
        added.push_back({"", value, tag, parsed.root});
    }
    const bool overCap = invalid == 0 && current->size() + added.size() > MAX_RULES;
    std::string out = "{";
    std::size_t created = 0;
    if (invalid == 0 && !overCap)
    {
        std::string data;
        auto next = std::make_shared<RuleList>(*current);
        for (auto& r : added)
        {
            r.id = std::to_string(_nextId++);
            data += (created++ ? "," : "") + ruleJson(r);
            next->push_back(r);
        }
        if (!dryRun)
        {
            _rules[app] = next;
            ++_version;
        }
        out += "\"data\":[" + data + "],";
    }
    out += "\"meta\":{\"sent\":\"" + nowIso() + "\",\"summary\":{\"created\":" + std::to_string(created) +
           ",\"not_created\":" + std::to_string(rules.size() - created) + ",\"valid\":" + std::to_string(valid) +
           ",\"invalid\":" + std::to_string(invalid) + "}}";
    if (overCap)
    {
        out += ",\"errors\":[{\"title\":\"RulesCapExceeded\",\"type\":\"https://api.twitter.com/2/problems/"
               "rule-cap\",\"details\":[\"Rule cap exceeded: at most " +
               std::to_string(MAX_RULES) + " rules per app (there are " + std::to_string(current->size()) +
               ", adding " + std::to_string(added.size()) + ")\"]}]";
    }
    else if (!errors.empty())
        out += ",\"errors\":[" + errors + "]";
    out += "}";
    return {syntax || overCap ? 400 : 200, out};
}

SandboxRules::Answer SandboxRules::remove(const std::string& app, const std::vector<std::string>& keys, bool byValue,
                                          bool dryRun)
{
    std::lock_guard lock(_mutex);
    auto current = _rules.count(app) ? _rules[app] : std::make_shared<const RuleList>();
    auto next = std::make_shared<RuleList>();
    std::set<std::string> wanted(keys.begin(), keys.end()), found;
    for (const auto& r : *current)
    {
        const std::string& key = byValue ? r.value : r.id;
        if (wanted.count(key))
            found.insert(key);
        else
            next->push_back(r);
    }
    std::string errors;
    for (const auto& k : keys)
        if (!found.count(k))
        {
            errors += errors.empty() ? "" : ",";
            errors += "{\"title\":\"RuleNotFound\",\"type\":\"https://api.twitter.com/2/problems/"
                      "resource-not-found\",\"value\":";
            jsonQuoteTo(errors, k);
            errors += ",\"details\":[\"No rule with this " + std::string(byValue ? "value" : "id") + "\"]}";
        }
    if (!dryRun && !found.empty())
    {
        _rules[app] = next;
        ++_version;
    }
    std::string out = "{\"meta\":{\"sent\":\"" + nowIso() +
                      "\",\"summary\":{\"deleted\":" + std::to_string(found.size()) +
                      ",\"not_deleted\":" + std::to_string(keys.size() - found.size()) + "}}";
    if (!errors.empty()) out += ",\"errors\":[" + errors + "]";
    return {200, out + "}"};
}

std::shared_ptr<const SandboxRules::RuleList> SandboxRules::rules(const std::string& app) const
{
    std::lock_guard lock(_mutex);
    auto it = _rules.find(app);
    if (it == _rules.end()) return std::make_shared<const RuleList>();
    return it->second;
}

std::uint64_t SandboxRules::version() const
{
    return _version.load(std::memory_order_acquire);
}

bool SandboxRules::claimConnection(const std::string& app)
{
    std::lock_guard lock(_mutex);
    int& n = _connections[app];
    if (n > 0) return false;
    ++n;
    return true;
}

void SandboxRules::releaseConnection(const std::string& app)
{
    std::lock_guard lock(_mutex);
    if (_connections[app] > 0) --_connections[app];
}

} // namespace birdgate
