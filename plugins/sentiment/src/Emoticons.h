// pattern's EMOTICONS table, shared by the tokenizer (which glues emoticons it
// split back together) and the scorer (which gives them a polarity). The order
// matters: pattern tries the moods in this order, so ":c)" is a taunt before
// ":c" can be a frown.
#pragma once

#include <array>
#include <string_view>

namespace birdgate::sentiment
{

struct Emoticon
{
    std::u32string_view text;
    double polarity;
};

inline constexpr std::array<Emoticon, 76> emoticons = {{
    // love
    {U"<3", 1.0},
    {U"\u2665", 1.0},
    // grin
    {U">:D", 1.0},
    {U":-D", 1.0},
    {U":D", 1.0},
    {U"=-D", 1.0},
    {U"=D", 1.0},
    {U"X-D", 1.0},
    {U"x-D", 1.0},
    {U"XD", 1.0},
    {U"xD", 1.0},
    {U"8-D", 1.0},
    // taunt
    {U">:P", 0.75},
    {U":-P", 0.75},
    {U":P", 0.75},
    {U":-p", 0.75},
    {U":p", 0.75},
    {U":-b", 0.75},
    {U":b", 0.75},
    {U":c)", 0.75},
    {U":o)", 0.75},
    {U":^)", 0.75},
    // smile
    {U">:)", 0.5},
    {U":-)", 0.5},
    {U":)", 0.5},
    {U"=)", 0.5},
    {U"=]", 0.5},
    {U":]", 0.5},
    {U":}", 0.5},
    {U":>", 0.5},
    {U":3", 0.5},
    {U"8)", 0.5},
    {U"8-)", 0.5},
    // wink
    {U">;]", 0.25},
    {U";-)", 0.25},
    {U";)", 0.25},
    {U";-]", 0.25},
    {U";]", 0.25},
    {U";D", 0.25},
    {U";^)", 0.25},
    {U"*-)", 0.25},
    {U"*)", 0.25},
    // gasp
    {U">:o", 0.05},
    {U":-O", 0.05},
    {U":O", 0.05},
    {U":o", 0.05},
    {U":-o", 0.05},
    {U"o_O", 0.05},
    {U"o.O", 0.05},
    {U"\u00B0O\u00B0", 0.05},
    {U"\u00B0o\u00B0", 0.05},
    // worry
    {U">:/", -0.25},
    {U":-/", -0.25},
    {U":/", -0.25},
    {U":\\", -0.25},
    {U">:\\", -0.25},
    {U":-.", -0.25},
    {U":-s", -0.25},
    {U":s", -0.25},
    {U":S", -0.25},
    {U":-S", -0.25},
    {U">.>", -0.25},
    // frown
    {U">:[", -0.75},
    {U":-(", -0.75},
    {U":(", -0.75},
    {U"=(", -0.75},
    {U":-[", -0.75},
    {U":[", -0.75},
    {U":{", -0.75},
    {U":-<", -0.75},
    {U":c", -0.75},
    {U":-c", -0.75},
    {U"=/", -0.75},
    // cry
    {U":'(", -1.0},
    {U":'''(", -1.0},
    {U";'(", -1.0},
}};

} // namespace birdgate::sentiment
