// StreamRules; see StreamRules.h.
#include "stream/StreamRules.h"

#include <cstdio>

namespace birdgate::streamrules
{
namespace
{
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::vector<std::string> words(const std::string& phrase)
{
    std::vector<std::string> out;
    std::string word;
    for (char c : phrase)
    {
        if (isSpace(c))
        {
            if (!word.empty()) out.push_back(std::move(word));
            word.clear();
        }
        else
            word += c;
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

// A bare word X would read as an operator, a group, a negation or the OR
// keyword goes in quotes (with its own quotes escaped).
std::string wordTerm(const std::string& word)
{
    bool plain = word != "OR" && word[0] != '-';
    for (char c : word)
        if (c == '(' || c == ')' || c == '"' || c == ':' || c == '\\') plain = false;
    if (plain) return word;
    std::string out = "\"";
    for (char c : word)
    {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Locations numbers as written in the config, trimmed of a leading '+'.
std::string number(const std::string& text)
{
    return !text.empty() && text[0] == '+' ? text.substr(1) : text;
}
} // namespace

std::string tagPrefix(const std::string& scheduleName)
{
    return "birdgate:" + scheduleName + ":";
}

std::size_t ruleLength(const std::string& value)
{
    std::size_t n = 0;
    for (unsigned char c : value)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string trackTerm(const std::string& phrase)
{
    std::vector<std::string> w = words(phrase);
    if (w.empty()) return {};
    if (w.size() == 1) return wordTerm(w[0]);
    std::string out = "(";
    for (std::size_t i = 0; i < w.size(); ++i) out += (i ? " " : "") + wordTerm(w[i]);
    return out + ")";
}

std::string languageClause(const std::vector<std::string>& languages)
{
    if (languages.empty()) return {};
    if (languages.size() == 1) return "lang:" + languages[0];
    std::string out = "(";
    for (std::size_t i = 0; i < languages.size(); ++i) out += (i ? " OR lang:" : "lang:") + languages[i];
    return out + ")";
}

std::vector<std::string> fromGramex(const std::vector<std::string>& track, const std::vector<std::string>& follow,
                                    const std::vector<std::string>& locations,
                                    const std::vector<std::string>& languages, std::size_t maxLength)
{
    std::vector<std::string> terms;
    for (const auto& phrase : track)
        if (std::string t = trackTerm(phrase); !t.empty()) terms.push_back(std::move(t));
    for (const auto& user : follow) terms.push_back("from:" + user);
    for (std::size_t i = 0; i + 3 < locations.size(); i += 4)
        terms.push_back("bounding_box:[" + number(locations[i]) + " " + number(locations[i + 1]) + " " +
                        number(locations[i + 2]) + " " + number(locations[i + 3]) + "]");
    const std::string lang = languageClause(languages);

    // One rule = its terms ORed, grouped when lang: is ANDed to several.
    auto render = [&](const std::vector<std::string>& group) {
        std::string ored;
        for (std::size_t i = 0; i < group.size(); ++i) ored += (i ? " OR " : "") + group[i];
        if (lang.empty()) return ored;
        return (group.size() > 1 ? "(" + ored + ")" : ored) + " " + lang;
    };
    std::vector<std::string> rules;
    std::vector<std::string> group;
    for (const auto& term : terms)
    {
        if (ruleLength(render({term})) > maxLength)
            throw RuleTooLong("'" + term + "' alone makes a rule of " + std::to_string(ruleLength(render({term}))) +
                              " characters, over rule_max_length " + std::to_string(maxLength));
        group.push_back(term);
        if (group.size() > 1 && ruleLength(render(group)) > maxLength)
        {
            group.pop_back();
            rules.push_back(render(group));
            group = {term};
        }
    }
    if (!group.empty()) rules.push_back(render(group));
    return rules;
}

std::vector<StreamRule> tagged(const std::string& scheduleName, const std::vector<StreamRule>& configured,
                               const std::vector<std::string>& generated)
{
    std::vector<StreamRule> out;
    const std::string prefix = tagPrefix(scheduleName);
    for (const auto& rule : configured)
        out.push_back({rule.value, prefix + (rule.tag.empty() ? std::to_string(out.size() + 1) : rule.tag)});
    for (const auto& value : generated) out.push_back({value, prefix + std::to_string(out.size() + 1)});
    return out;
}

} // namespace birdgate::streamrules
