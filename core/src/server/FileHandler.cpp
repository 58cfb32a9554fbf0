// FileHandler; see FileHandler.h.
#include "server/FileHandler.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <array>
#include <fstream>
#include <sstream>

namespace birdgate
{
namespace
{
const std::array<KwargSpec, 3> SPEC = {{
    {"path", KwargType::String, nullptr, "folder to serve (the pattern's first group is the file) or one file"},
    {"index", KwargType::String, "index.html", "file served for a folder"},
    {"headers", KwargType::Map, nullptr, "headers added to every answer"},
}};
} // namespace

FileHandler::FileHandler(const UrlEntry& entry, const Services& services)
{
    Kwargs kw(entry.kwargs, entry.origin, entry.line, "url." + entry.name + ".kwargs", SPEC, services.warnings);
    _root = kw.str("path");
    if (_root.empty()) kw.fail("path", "a folder or file to serve");
    Poco::File f(_root);
    if (!f.exists()) kw.fail("path", "an existing folder or file (" + _root + " does not exist)");
    _isFile = f.isFile();
    if (!_isFile && _root.back() != '/') _root.push_back('/');
    _index = kw.str("index");
    _headers = kw.stringPairs("headers");
}

std::string FileHandler::contentType(const std::string& fileName)
{
    std::string ext = Poco::Path(fileName).getExtension();
    for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
    if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
    if (ext == "css") return "text/css; charset=utf-8";
    if (ext == "json") return "application/json; charset=utf-8";
    if (ext == "svg") return "image/svg+xml";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "gif") return "image/gif";
    if (ext == "ico") return "image/x-icon";
    if (ext == "txt" || ext == "md") return "text/plain; charset=utf-8";
    if (ext == "yaml" || ext == "yml") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

void FileHandler::handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                         const RouteMatch& match)
{
    for (const auto& [k, v] : _headers) response.set(k, v);
    const std::string& method = request.getMethod();
    if (method != "GET" && method != "HEAD")
    {
        response.set("Allow", "GET, HEAD");
        sendJsonError(response, 405, "method " + method + " not allowed here");
        return;
    }
    std::string file = _root;
    if (!_isFile)
    {
        std::string rel;
        const std::string raw = match.groups.size() > 1 ? match.groups[1] : std::string();
        if (raw.find("%2f") != std::string::npos || raw.find("%2F") != std::string::npos ||
            raw.find("%5c") != std::string::npos || raw.find("%5C") != std::string::npos ||
            !oauth1::percentDecode(raw, rel, false))
        {
            sendJsonError(response, 400, "bad file path");
            return;
        }
        // Every segment must be a plain name: no "..", no hidden files, no
        // NUL/control bytes, no empty segment ("//x" would also make the
        // folder redirect below a network-path reference to host x).
        std::istringstream segs(rel);
        std::string seg;
        bool first = true;
        while (std::getline(segs, seg, '/'))
        {
            bool bad = seg.empty() ? first : seg[0] == '.';
            first = false;
            for (unsigned char c : seg)
                if (c < 0x20 || c == '\\' || c == 0x7f) bad = true;
            if (bad)
            {
                sendJsonError(response, 404, "no such file");
                return;
            }
        }
        file += rel;
        if (rel.empty() || rel.back() == '/') file += _index;
        Poco::File f(file);
        if (f.exists() && f.isDirectory())
        {
            // A folder without its trailing slash: send the browser to it, so
            // relative links in its index resolve inside it.
            // Relative to this URL ("name/"), so it can never leave the site.
            std::string last = match.path.substr(match.path.find_last_of('/') + 1);
            if (last.empty())
            {
                sendJsonError(response, 404, "no such file");
                return;
            }
            response.redirect(last + "/");
            return;
        }
    }
    std::ifstream in(file, std::ios::binary);
    if (!in)
    {
        sendJsonError(response, 404, "no such file");
        return;
    }
    std::ostringstream data;
    data << in.rdbuf();
    std::string body = data.str();
    response.setContentType(contentType(file));
    Poco::File f(file);
    response.set("Last-Modified", Poco::DateTimeFormatter::format(f.getLastModified(), Poco::DateTimeFormat::HTTP_FORMAT));
    if (method == "HEAD")
    {
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send();
        return;
    }
    response.sendBuffer(body.data(), body.size());
}

} // namespace birdgate
