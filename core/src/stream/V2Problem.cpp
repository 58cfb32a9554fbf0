// V2Problem; see V2Problem.h.
#include "stream/V2Problem.h"

#include "stream/StreamText.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace birdgate
{

V2Problem V2Problem::parse(std::string_view body)
{
    V2Problem p;
    try
    {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var root = parser.parse(std::string(body));
        auto object = root.extract<Poco::JSON::Object::Ptr>();
        if (!object) return p;
        if (!object->has("title") && !object->has("type"))
        {
            auto errors = object->getArray("errors");
            if (!errors || errors->size() == 0) return p;
            object = errors->getObject(0);
            if (!object) return p;
        }
        auto text = [&](const char* key) {
            Poco::Dynamic::Var v = object->get(key);
            return v.isString() ? v.extract<std::string>() : std::string();
        };
        p.type = text("type");
        p.title = text("title");
        p.detail = text("detail");
        if (p.detail.empty()) p.detail = text("message");
    }
    catch (const Poco::Exception&)
    {
    }
    catch (const std::exception&)
    {
    }
    return p;
}

std::string V2Problem::kind() const
{
    auto slash = type.rfind('/');
    return slash == std::string::npos ? std::string() : type.substr(slash + 1);
}

bool V2Problem::permanent() const
{
    const std::string k = kind();
    return k == "client-forbidden" || k == "unsupported-authentication" || k == "not-authorized-for-resource" ||
           k == "invalid-request" || k == "resource-not-found";
}

std::string V2Problem::describe() const
{
    // Longer than streamtext::preview: X's details run to a few sentences.
    auto safe = [](const std::string& s) {
        std::string out;
        for (char c : s.substr(0, 400)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
        if (s.size() > 400) out += "...";
        return out;
    };
    if (title.empty() && detail.empty()) return "no problem details";
    if (detail.empty()) return safe(title);
    if (title.empty()) return safe(detail);
    return safe(title) + ": " + safe(detail);
}

} // namespace birdgate
