// find_tokens() step by step (see /work/shared/data/SENTIMENT.md, "Tokens"):
// contractions and quotes, white space and paragraph breaks, punctuation and
// abbreviations, sentence breaks, then the two regular expressions pattern runs
// over each sentence (sarcasm "(!)" and emoticons), rewritten as hand-made
// scanners because this runs for every tweet.
#include "Tokenizer.h"

#include "CodePoints.h"
#include "Emoticons.h"

#include <algorithm>
#include <array>

namespace birdgate::sentiment
{
namespace
{

using Span = Tokenizer::Span;

constexpr std::u32string_view punctuation = U",;:!?()[]{}`'\"@#$^&*+-|=~_";

bool isPunctuation(char32_t ch)
{
    return ch < 0x80 && punctuation.find(ch) != std::u32string_view::npos;
}

bool isQuote(char32_t ch)
{
    return ch == U'\'' || ch == U'"' || ch == 0x201C || ch == 0x201D || ch == 0x2018 || ch == 0x2019;
}

// pattern's `replacements` keys: such tokens are never split.
bool isContraction(std::u32string_view t)
{
    return t == U"'d" || t == U"'m" || t == U"'s" || t == U"'ll" || t == U"'re" || t == U"'ve" || t == U"n't";
}

// Does a contraction key start at text[i]? (re.sub is case-sensitive.)
bool contractionAt(std::u32string_view text, std::size_t i)
{
    const std::u32string_view rest = text.substr(i);
    if (rest.size() < 2) return false;
    if (rest[0] == U'\'')
    {
        const char32_t c = rest[1];
        if (c == U'd' || c == U'm' || c == U's') return true;
        if (rest.size() < 3) return false;
        const std::u32string_view two = rest.substr(1, 2);
        return two == U"ll" || two == U"re" || two == U"ve";
    }
    return rest.size() >= 3 && rest.substr(0, 3) == U"n't";
}

constexpr std::array<std::u32string_view, 37> abbreviations = {
    U"a.",    U"adj.",  U"adv.", U"al.",  U"a.m.", U"c.",  U"cf.",  U"comp.", U"conf.", U"def.",
    U"ed.",   U"e.g.",  U"esp.", U"etc.", U"ex.",  U"f.",  U"fig.", U"gen.",  U"id.",   U"i.e.",
    U"int.",  U"l.",    U"m.",   U"Med.", U"Mil.", U"Mr.", U"n.",   U"n.q.",  U"orig.", U"pl.",
    U"pred.", U"pres.", U"p.m.", U"ref.", U"v.",   U"vs.", U"w/"};

bool isAsciiLetter(char32_t ch)
{
    return (ch >= U'a' && ch <= U'z') || (ch >= U'A' && ch <= U'Z');
}

// A token ending in "." that keeps its period: the abbreviation list,
// RE_ABBR1/RE_ABBR2 ("T.", "U.S.") and RE_ABBR3 ("Mr.", "Dr.").
bool isAbbreviation(std::u32string_view t)
{
    if (std::find(abbreviations.begin(), abbreviations.end(), t) != abbreviations.end()) return true;
    if (t.size() >= 2 && t.size() % 2 == 0)
    {
        bool pairs = true;
        for (std::size_t k = 0; pairs && k < t.size(); k += 2) pairs = isAsciiLetter(t[k]) && t[k + 1] == U'.';
        if (pairs) return true;
    }
    if (t.size() >= 3 && t[0] >= U'A' && t[0] <= U'Z')
    {
        constexpr std::u32string_view consonants = U"bcdfghjklmnpqrstvwxz|";
        for (std::size_t k = 1; k + 1 < t.size(); ++k)
            if (consonants.find(t[k]) == std::u32string_view::npos) return false;
        return true;
    }
    return false;
}

// Step 4: split leading and trailing punctuation off one white-space token.
void splitToken(std::u32string_view text, Span t, std::vector<Span>& out, std::vector<Span>& tail)
{
    auto view = [text](Span s) { return text.substr(s.offset, s.length); };
    while (t.length > 0 && isPunctuation(text[t.offset]) && !isContraction(view(t)))
    {
        out.push_back({t.offset, 1});
        ++t.offset;
        --t.length;
    }
    tail.clear();
    auto last = [&]() { return text[t.offset + t.length - 1]; };
    while (t.length > 0 && (isPunctuation(last()) || last() == U'.') && !isContraction(view(t)))
    {
        if (isPunctuation(last()))
        {
            tail.push_back({t.offset + t.length - 1, 1});
            --t.length;
        }
        if (t.length >= 3 && view(t).substr(t.length - 3) == U"...")
        {
            tail.push_back({t.offset + t.length - 3, 3});
            t.length -= 3;
            while (t.length > 0 && last() == U'.') --t.length;
        }
        if (t.length > 0 && last() == U'.')
        {
            if (isAbbreviation(view(t))) break;
            tail.push_back({t.offset + t.length - 1, 1});
            --t.length;
        }
    }
    if (t.length > 0) out.push_back(t);
    out.insert(out.end(), tail.rbegin(), tail.rend());
}

bool isSentenceEnd(std::u32string_view t)
{
    return t == U"." || t == U"!" || t == U"?" || t == U"..." || t == Tokenizer::endOfSentence;
}

// Tokens that stay with the sentence they follow ("Wow!!", "(really.)", "“Yes.”").
// A plain ' or " never does: pattern's balanced-quote test always breaks.
bool continuesSentenceEnd(std::u32string_view t)
{
    return isSentenceEnd(t) || t == U")" || t == U"\u201D" || t == U"\u2019";
}

// RE_SARCASM: "\( ?! ?\)" -> "(!)".
void rewriteSarcasm(std::u32string_view in, std::u32string& out)
{
    out.clear();
    const std::size_t n = in.size();
    std::size_t p = 0;
    while (p < n)
    {
        if (in[p] == U'(')
        {
            std::size_t q = p + 1;
            if (q < n && in[q] == U' ') ++q;
            if (q < n && in[q] == U'!')
            {
                ++q;
                if (q < n && in[q] == U' ') ++q;
                if (q < n && in[q] == U')')
                {
                    out.append(U"(!)");
                    p = q + 1;
                    continue;
                }
            }
        }
        out.push_back(in[p]);
        ++p;
    }
}

// Where an emoticon written with optional single spaces between its
// characters, starting at in[p], ends; npos when it does not match there.
std::size_t matchEmoticon(std::u32string_view in, std::size_t p, std::u32string_view emoticon)
{
    std::size_t q = p;
    for (std::size_t k = 0; k < emoticon.size(); ++k)
    {
        if (k > 0 && q < in.size() && in[q] == U' ') ++q;
        if (q >= in.size() || in[q] != emoticon[k]) return std::u32string_view::npos;
        ++q;
    }
    return q;
}

bool mayStartEmoticon(char32_t ch)
{
    switch (ch)
    {
    case U'<':
    case U'>':
    case U':':
    case U';':
    case U'=':
    case U'*':
    case U'8':
    case U'x':
    case U'X':
    case U'o':
    case 0x2665:
    case 0xB0:
        return true;
    default:
        return false;
    }
}

// RE_EMOTICONS: "(<emoticon with optional spaces>)($|\s)" -> the emoticon
// without spaces. Alternatives are tried in table order at each position,
// leftmost match first, matches never overlap; the result is appended to out.
void rewriteEmoticons(std::u32string_view in, std::u32string& out)
{
    const std::size_t n = in.size();
    std::size_t p = 0;
    while (p < n)
    {
        if (mayStartEmoticon(in[p]))
        {
            bool matched = false;
            for (const Emoticon& e : emoticons)
            {
                const std::size_t q = matchEmoticon(in, p, e.text);
                if (q == std::u32string_view::npos || (q < n && in[q] != U' ')) continue;
                out.append(e.text);
                p = q;
                if (p < n) out.push_back(in[p++]);
                matched = true;
                break;
            }
            if (matched) continue;
        }
        out.push_back(in[p]);
        ++p;
    }
}

} // namespace

void Tokenizer::split(std::u32string_view input, Words& words)
{
    words.clear();

    // Step 1-2: contractions get a space before them, quotes one on each side.
    std::u32string text;
    text.reserve(input.size() + input.size() / 4 + 16);
    for (std::size_t i = 0; i < input.size(); ++i)
    {
        const char32_t ch = input[i];
        if ((ch == U'\'' || ch == U'n') && contractionAt(input, i)) text.push_back(U' ');
        if (isQuote(ch))
        {
            text.push_back(U' ');
            text.push_back(ch);
            text.push_back(U' ');
        }
        else
        {
            text.push_back(ch);
        }
    }

    // Step 3: "\r\n" is a newline, two or more newlines end a sentence, any
    // other white space separates tokens. Tokens are spans of `text`; the
    // END-OF-SENTENCE marker is appended once after the scan.
    const std::size_t scanned = text.size();
    const auto eosOffset = static_cast<std::uint32_t>(scanned);
    std::vector<Span> raw;
    raw.reserve(scanned / 4 + 4);
    std::size_t start = 0;
    bool inToken = false;
    bool usesEos = false;
    auto endToken = [&](std::size_t end) {
        if (inToken) raw.push_back({static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end - start)});
        inToken = false;
    };
    std::size_t i = 0;
    while (i < scanned)
    {
        const char32_t ch = text[i];
        const bool crlf = ch == U'\r' && i + 1 < scanned && text[i + 1] == U'\n';
        if (ch == U'\n' || crlf)
        {
            endToken(i);
            std::size_t newlines = 0;
            while (i < scanned)
            {
                if (text[i] == U'\n')
                    i += 1;
                else if (text[i] == U'\r' && i + 1 < scanned && text[i + 1] == U'\n')
                    i += 2;
                else
                    break;
                ++newlines;
            }
            if (newlines >= 2)
            {
                raw.push_back({eosOffset, static_cast<std::uint32_t>(endOfSentence.size())});
                usesEos = true;
            }
            continue;
        }
        if (CodePoints::isSpace(ch))
        {
            endToken(i);
        }
        else if (!inToken)
        {
            inToken = true;
            start = i;
        }
        ++i;
    }
    endToken(scanned);
    if (usesEos) text.append(endOfSentence);
    const std::u32string_view all(text);
    auto view = [all](Span s) { return all.substr(s.offset, s.length); };

    // Step 4: punctuation.
    std::vector<Span> tokens;
    tokens.reserve(raw.size() * 2);
    std::vector<Span> tail;
    for (const Span& t : raw) splitToken(all, t, tokens, tail);

    // Steps 5-7: sentences, each joined by spaces, rewritten, split again.
    std::u32string sentence;
    std::u32string rewritten;
    auto emitSentence = [&](std::size_t from, std::size_t to, bool dropEos) {
        sentence.clear();
        for (std::size_t k = from; k < to; ++k)
        {
            const std::u32string_view t = view(tokens[k]);
            if (dropEos && t == endOfSentence) continue;
            if (!sentence.empty()) sentence.push_back(U' ');
            sentence.append(t);
        }
        if (sentence.empty()) return;
        rewriteSarcasm(sentence, rewritten);
        const std::size_t begin = words.text.size();
        rewriteEmoticons(rewritten, words.text);
        const std::size_t end = words.text.size();
        std::size_t w = begin;
        for (std::size_t k = begin; k <= end; ++k)
        {
            if (k == end || words.text[k] == U' ')
            {
                if (k > w) words.spans.push_back({static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(k - w)});
                w = k + 1;
            }
        }
        words.text.push_back(U' ');
    };
    const std::size_t n = tokens.size();
    std::size_t first = 0;
    std::size_t j = 0;
    while (j < n)
    {
        if (isSentenceEnd(view(tokens[j])))
        {
            while (j < n && continuesSentenceEnd(view(tokens[j]))) ++j;
            emitSentence(first, j, true);
            first = j;
        }
        // pattern's loop steps past the token after a sentence end unchecked.
        ++j;
    }
    emitSentence(first, std::min(j, n), false);
}

} // namespace birdgate::sentiment
