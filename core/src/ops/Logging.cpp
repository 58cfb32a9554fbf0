// birdgate's own log; see Logging.h.
#include "birdgate/ops/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/Exception.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/SyslogChannel.h>

#include <iostream>
#include <mutex>

namespace birdgate::logging
{
namespace
{
std::mutex mutex;
Poco::AutoPtr<Poco::FileChannel> file; // the current log file, for reopen()
} // namespace

namespace
{
void setRotation(Poco::FileChannel& file, const AppConfig& app, const std::string& mainFile)
{
    try
    {
        file.setProperty(Poco::FileChannel::PROP_ROTATION, app.logRotation);
    }
    catch (const Poco::Exception& e)
    {
        throw ConfigError(mainFile, 0, "app.log.rotation",
                          "never, a size (10 M, 500 K), or an interval (daily, weekly, 1 hours) (" + e.displayText() +
                              ")");
    }
}
} // namespace

void check(const AppConfig& app, const std::string& mainFile)
{
    if (app.logPath == "-" || app.logPath == "syslog") return;
    Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(app.logPath));
    setRotation(*file, app, mainFile);
}

void configure(const AppConfig& app, const std::string& mainFile, bool daemon)
{
    Poco::AutoPtr<Poco::Channel> sink;
    Poco::AutoPtr<Poco::FileChannel> newFile;
    std::string format = "%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t";
    if (app.logPath == "syslog" || (app.logPath == "-" && daemon))
    {
        Poco::AutoPtr<Poco::SyslogChannel> syslog(
            new Poco::SyslogChannel("birdgate", Poco::SyslogChannel::SYSLOG_PID, Poco::SyslogChannel::SYSLOG_DAEMON));
        sink = syslog;
        format = "%p %s: %t"; // syslog adds the time
    }
    else if (app.logPath == "-")
        sink = new Poco::ConsoleChannel(std::cerr);
    else
    {
        newFile = new Poco::FileChannel(app.logPath);
        setRotation(*newFile, app, mainFile);
        newFile->setProperty(Poco::FileChannel::PROP_TIMES, "utc");
        newFile->setProperty(Poco::FileChannel::PROP_ARCHIVE, "timestamp");
        try
        {
            newFile->open();
        }
        catch (const Poco::Exception& e)
        {
            throw ConfigError(mainFile, 0, "app.log.path",
                              "a writable file, - (stderr) or syslog (" + e.displayText() + ")");
        }
        sink = newFile;
    }
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter(format));
    formatter->setProperty("times", "UTC");
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(app.logLevel);
    // Loggers made before this (Poco::Logger::get copies the root's channel
    // and level when it creates one) follow too.
    Poco::Logger::setChannel("", channel);
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(app.logLevel));
    std::lock_guard<std::mutex> lock(mutex);
    file = newFile;
}

void reopen()
{
    std::lock_guard<std::mutex> lock(mutex);
    if (file) file->close(); // the next message opens the configured path again
}

} // namespace birdgate::logging
