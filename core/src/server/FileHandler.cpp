// FileHandler; see FileHandler.h.
//
// serve() checks the method and the path on the I/O thread (no file access),
// then one worker call stats the path and opens the file, and one worker call
// per piece pread()s it; the descriptor is closed when serve() ends, however
// it ends. The size sent as Content-Length is the one fstat() saw when the
// file was opened: a file that shrinks meanwhile aborts the answer rather
// than send less than announced.
#include "server/FileHandler.h"

#include "birdgate/common/HttpErrors.h"
#include "birdgate/common/WorkerPool.h"
#include "birdgate/config/Kwargs.h"
#include "birdgate/twitter/OAuth1.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <sstream>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace birdgate
{
namespace
{
const std::array<KwargSpec, 3> SPEC = {{
    {"path", KwargType::String, nullptr, "folder to serve (the pattern's first group is the file) or one file"},
    {"index", KwargType::String, "index.html", "file served for a folder"},
    {"headers", KwargType::Map, nullptr, "headers added to every answer"},
}};

void sendError(Answer& answer, int status, std::string_view message)
{
    answer.send(status, "application/json; charset=utf-8", errorBody(status, message));
}

/// An open file: its descriptor (closed with it), size and modification time.
struct OpenFile
{
    int fd = -1;
    std::uint64_t size = 0;
    long long modified = 0; // epoch seconds

    OpenFile() = default;
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    OpenFile(OpenFile&& o) noexcept : fd(std::exchange(o.fd, -1)), size(o.size), modified(o.modified) {}
    ~OpenFile()
    {
        if (fd >= 0) ::close(fd);
    }
};

enum class Found
{
    File,
    Folder, // a folder named without its trailing slash
    Missing
};

/// Blocking: what `path` is, and when it is a regular file, opened.
Found openFile(const std::string& path, bool checkFolder, OpenFile& out)
{
    struct stat st;
    if (checkFolder && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Found::Folder;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Found::Missing;
    out.fd = fd;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Found::Missing;
    out.size = static_cast<std::uint64_t>(st.st_size);
    out.modified = static_cast<long long>(st.st_mtime);
    return Found::File;
}

/// Blocking: up to `buffer.size()` bytes at `offset`; -1 on an error.
long long readAt(int fd, std::string& buffer, std::uint64_t offset)
{
    for (;;)
    {
        ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        if (n >= 0 || errno != EINTR) return n;
    }
}
} // namespace

FileHandler::FileHandler(const UrlEntry& entry, const Services& services) : _workers(services.workers)
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

template <class F> Task<std::invoke_result_t<F>> FileHandler::blocking(F fn)
{
    if (_workers) co_return co_await _workers->run(std::move(fn));
    co_return fn(); // no pool (tools, some tests): block this thread
}

Task<void> FileHandler::serve(Request& request, Answer& answer, const RouteMatch& match)
{
    for (const auto& [k, v] : _headers) answer.set(k, v);
    const std::string& method = request.method;
    if (method != "GET" && method != "HEAD")
    {
        answer.set("Allow", "GET, HEAD");
        sendError(answer, 405, "method " + method + " not allowed here");
        co_return;
    }
    std::string file = _root;
    bool checkFolder = false;
    if (!_isFile)
    {
        std::string rel;
        const std::string raw = match.groups.size() > 1 ? match.groups[1] : std::string();
        if (raw.find("%2f") != std::string::npos || raw.find("%2F") != std::string::npos ||
            raw.find("%5c") != std::string::npos || raw.find("%5C") != std::string::npos ||
            !oauth1::percentDecode(raw, rel, false))
        {
            sendError(answer, 400, "bad file path");
            co_return;
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
                sendError(answer, 404, "no such file");
                co_return;
            }
        }
        file += rel;
        if (rel.empty() || rel.back() == '/') file += _index;
        checkFolder = true;
    }

    OpenFile opened;
    Found found = co_await blocking([&] { return openFile(file, checkFolder, opened); });
    if (found == Found::Folder)
    {
        // A folder without its trailing slash: send the browser to it, so
        // relative links in its index resolve inside it.
        // Relative to this URL ("name/"), so it can never leave the site.
        std::string last = match.path.substr(match.path.find_last_of('/') + 1);
        if (last.empty())
        {
            sendError(answer, 404, "no such file");
            co_return;
        }
        answer.setStatus(302);
        answer.set("Location", last + "/");
        co_return;
    }
    if (found == Found::Missing)
    {
        sendError(answer, 404, "no such file");
        co_return;
    }

    answer.setStatus(200);
    answer.set("Content-Type", contentType(file));
    answer.set("Last-Modified", Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(opened.modified),
                                                                Poco::DateTimeFormat::HTTP_FORMAT));
    if (!co_await answer.begin(opened.size) || answer.head()) co_return;
    std::string buffer;
    for (std::uint64_t offset = 0; offset < opened.size;)
    {
        buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(PIECE_BYTES, opened.size - offset)));
        long long n = co_await blocking([&] { return readAt(opened.fd, buffer, offset); });
        if (n <= 0)
        {
            answer.abort(); // shrank or unreadable: less than the Content-Length announced
            co_return;
        }
        offset += static_cast<std::uint64_t>(n);
        if (!co_await answer.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)))) co_return;
    }
    co_await answer.finish();
}

} // namespace birdgate
