// HeaderField helpers; see HeaderField.h.
#include "birdgate/server/HeaderField.h"

namespace birdgate
{

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
        if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
        if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
        if (x != y) return false;
    }
    return true;
}

const std::string* findHeader(const HeaderFields& fields, std::string_view name)
{
    for (const auto& f : fields)
        if (iequals(f.name, name)) return &f.value;
    return nullptr;
}

void setHeader(HeaderFields& fields, std::string_view name, std::string value)
{
    for (auto& f : fields)
        if (iequals(f.name, name))
        {
            f.value = std::move(value);
            return;
        }
    fields.push_back({std::string(name), std::move(value)});
}

} // namespace birdgate
