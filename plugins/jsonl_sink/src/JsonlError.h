// The two ways JsonlWriter::write() refuses a message, as exception types,
// because the caller must react differently (Fluent Bit's RETRY vs ERROR):
//
//   WriteError  the file system failed (ENOSPC, EFBIG, EACCES, EIO ...):
//               nothing of the line is in the file; retry the same message later.
//   BadMessage  the message can never be written as one JSON line (empty, or
//               holds a raw newline): retrying cannot help; drop and count it.
#pragma once

#include <cstring>
#include <stdexcept>
#include <string>

namespace birdgate::jsonl
{

class JsonlError : public std::runtime_error
{
  public:
    using std::runtime_error::runtime_error;
};

class WriteError : public JsonlError
{
  public:
    /// errorCode is the errno; the message reads "<action> <path>: <strerror>".
    WriteError(int errorCode, const std::string& action, const std::string& path)
        : JsonlError(action + " " + path + ": " + std::strerror(errorCode)), _errorCode(errorCode), _path(path)
    {
    }

    int errorCode() const { return _errorCode; }
    const std::string& path() const { return _path; }

  private:
    int _errorCode;
    std::string _path;
};

class BadMessage : public JsonlError
{
  public:
    using JsonlError::JsonlError;
};

} // namespace birdgate::jsonl
