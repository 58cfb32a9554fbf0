// Small text helpers the stream's parts share: screen names and ids as
// Twitter spells them, comma-joined lists, and a log-safe preview of bytes
// that came from the network.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace birdgate::streamtext
{

inline std::string lowered(std::string text)
{
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

inline bool allDigits(const std::string& s)
{
    return !s.empty() && s.size() <= 20 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline bool validScreenName(const std::string& s)
{
    return !s.empty() && s.size() <= 15 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

inline std::string joined(const std::vector<std::string>& items, const char* sep = ",")
{
    std::string out;
    for (const auto& item : items)
    {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

/// A message for the log: at most 80 bytes, control and non-ASCII bytes as
/// '?', so a line that is not JSON cannot forge log lines.
inline std::string preview(std::string_view text)
{
    std::string out;
    for (char c : text.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > 80) out += "...";
    return out;
}

} // namespace birdgate::streamtext
