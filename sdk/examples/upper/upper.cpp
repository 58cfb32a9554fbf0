// upper: an example birdgate transform. It upper-cases every string VALUE of
// the JSON answer (keys are left alone), so
//   {"statuses":[{"text":"good beer"}]}  ->  {"statuses":[{"text":"GOOD BEER"}]}
// It shows the whole shape of a plugin: a class, a constructor that receives
// the config JSON and the host, a thread-safe call(), and one BIRDGATE_PLUGIN.
#include <birdgate/plugin.hpp>

#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>

namespace
{

class Upper
{
  public:
    // `config` is the transform's YAML entry (without `function:`) as JSON.
    Upper(std::string_view config, birdgate::sdk::Host host)
    {
        if (config.empty() || config.front() != '{')
            throw std::invalid_argument("upper: the config must be a JSON object"); // -> create fails
        host.info("upper ready");
    }

    // Called concurrently from the transform pool: it only reads members.
    void call(std::string_view input, std::string_view /*context*/, birdgate::sdk::Output& out) const
    {
        std::string result;
        result.reserve(input.size());
        std::size_t i = 0;
        while (i < input.size())
        {
            if (input[i] != '"')
            {
                result += input[i++];
                continue;
            }
            // A string: find its end (skipping escapes), then look past it for ':'.
            std::size_t end = i + 1;
            while (end < input.size() && input[end] != '"') end += input[end] == '\\' ? 2 : 1;
            if (end >= input.size()) throw std::runtime_error("upper: unterminated string in the answer"); // -> ERROR
            std::size_t next = end + 1;
            while (next < input.size() && std::isspace(static_cast<unsigned char>(input[next]))) ++next;
            const bool isKey = next < input.size() && input[next] == ':';
            for (std::size_t k = i; k <= end; ++k)
            {
                const char c = input[k];
                if (c == '\\') // copy escapes as they are: \n must not become \N
                {
                    result += c;
                    result += input[++k];
                    continue;
                }
                result += isKey ? c : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            i = end + 1;
        }
        out.json(result);
    }
};

} // namespace

BIRDGATE_PLUGIN("upper", "1.0.0", birdgate::sdk::transform<Upper>("upper"));
