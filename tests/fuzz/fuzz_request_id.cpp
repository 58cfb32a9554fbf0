// Fuzzes what a client's X-Request-Id becomes (RequestId::accept) and the
// JSON access log line that carries it with the request target
// (AccessLog::line, app.access_log_format: json): both are outside input.
//
// Properties: the id that comes out is always sane (1 to 128 safe
// characters); a sane input is kept as it is, anything else becomes 32 hex
// digits; for ASCII input the JSON line is one line, parses as a JSON object,
// and gives back the id and the redacted target unchanged.
#include "FuzzCheck.h"

#include "birdgate/ops/AccessLog.h"
#include "ops/RequestId.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace birdgate;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view input = fuzz::bytes(data, size);
    const std::string id = RequestId::accept(input);
    const std::string shown = fuzz::printable(input) + " -> " + fuzz::printable(id);
    FUZZ_CHECK(RequestId::sane(id), "an unsafe id: " + shown);
    if (RequestId::sane(input))
        FUZZ_CHECK(id == input, "a sane id was replaced: " + shown);
    else
        FUZZ_CHECK(id.size() == 32 &&
                       std::all_of(id.begin(), id.end(),
                                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }),
                   "a replacement that is not 32 hex digits: " + shown);

    // Request targets are ASCII (RequestHead refuses other bytes) and so are
    // ids and client addresses: only such lines need to be JSON.
    if (std::any_of(input.begin(), input.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) return 0;
    static AccessLog log("-", AccessLog::Format::Json); // line() only: nothing is written
    AccessRecord record;
    record.client = "127.0.0.1";
    record.method = "GET";
    record.uri = input;
    record.status = 200;
    record.url = input;
    record.requestId = id;
    const std::string line = log.line(record);
    FUZZ_CHECK(!line.empty() && line.back() == '\n' && std::count(line.begin(), line.end(), '\n') == 1,
               "not one line: " + fuzz::printable(line));
    Poco::JSON::Object::Ptr object;
    try
    {
        Poco::JSON::Parser parser;
        object = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    }
    catch (const std::exception& e)
    {
        FUZZ_CHECK(false, std::string("not JSON (") + e.what() + "): " + fuzz::printable(line));
    }
    FUZZ_CHECK(object->getValue<std::string>("request_id") == id, "the id changed: " + fuzz::printable(line));
    if (!input.empty())
        FUZZ_CHECK(object->getValue<std::string>("path") == AccessLog::redact(input),
                   "the path changed: " + fuzz::printable(line));
    return 0;
}
