// birdgate [config.yaml]: runs the gateway in the foreground (or with
// --daemon --pidfile on Unix, through Poco's ServerApplication). A config
// error prints file, line, key and what was expected, and exits 78 (EX_CONFIG)
// before anything listens. SIGTERM/SIGINT drain in-flight requests, exit 0.
#include "birdgate/config/Config.h"
#include "birdgate/server/Gateway.h"
#include "birdgate/server/HandlerTable.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <csignal>
#include <iostream>

namespace
{
class BirdgateApp : public Poco::Util::ServerApplication
{
  protected:
    void defineOptions(Poco::Util::OptionSet& options) override
    {
        ServerApplication::defineOptions(options);
        options.addOption(Poco::Util::Option("help", "h", "show this help and exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<BirdgateApp>(this, &BirdgateApp::onHelp)));
        options.addOption(Poco::Util::Option("check", "c", "check the configuration and exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<BirdgateApp>(this, &BirdgateApp::onCheck)));
        options.addOption(Poco::Util::Option("version", "V", "print the version and exit")
                              .required(false)
                              .repeatable(false)
                              .callback(Poco::Util::OptionCallback<BirdgateApp>(this, &BirdgateApp::onVersion)));
    }

    void onHelp(const std::string&, const std::string&)
    {
        Poco::Util::HelpFormatter help(options());
        help.setCommand(commandName());
        help.setUsage("[options] [config.yaml]");
        help.setHeader("A gateway to the Twitter (X) API: OAuth 1.0a signing, login, cache, transforms, streams.");
        help.format(std::cout);
        _exitEarly = true;
        stopOptionsProcessing();
    }

    void onCheck(const std::string&, const std::string&) { _checkOnly = true; }

    void onVersion(const std::string&, const std::string&)
    {
        std::cout << "birdgate " BIRDGATE_VERSION "\n";
        _exitEarly = true;
        stopOptionsProcessing();
    }

    int main(const std::vector<std::string>& args) override
    {
        if (_exitEarly) return EXIT_OK;
        Poco::AutoPtr<Poco::PatternFormatter> fmt(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
        Poco::AutoPtr<Poco::FormattingChannel> channel(
            new Poco::FormattingChannel(fmt, new Poco::ConsoleChannel(std::cerr)));
        Poco::Logger::root().setChannel(channel);
        Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
        Poco::Logger& log = Poco::Logger::get("birdgate");

        if (args.size() > 1)
        {
            std::cerr << "birdgate: one configuration file at most (got " << args.size() << ")\n";
            return EXIT_USAGE;
        }
        std::string path = args.empty() ? "birdgate.yaml" : args[0];
        Poco::Net::initializeSSL();
        // A file-size limit must surface as EFBIG to the JSONL writer (which
        // keeps the line for a retry), not kill the process.
        std::signal(SIGXFSZ, SIG_IGN);
        // A peer (browser, Redis, upstream) closing its socket must be an
        // error on that connection, not the end of the process.
        std::signal(SIGPIPE, SIG_IGN);
        try
        {
            birdgate::Config config = birdgate::Config::load(path, birdgate::handlerNames());
            birdgate::Gateway gateway(config);
            for (const auto& w : gateway.warnings()) log.warning("%s", w);
            if (_checkOnly)
            {
                std::cout << path << ": configuration OK\n";
                return EXIT_OK;
            }
            gateway.start();
            log.information("birdgate %s listening on http://%s:%d/ (%s)", std::string(BIRDGATE_VERSION),
                            config.app.host, gateway.port(), path);
            waitForTerminationRequest();
            log.information("shutting down: finishing in-flight requests");
            gateway.stop(10);
            log.information("stopped");
        }
        catch (const birdgate::ConfigError& e)
        {
            std::cerr << "birdgate: configuration error: " << e.what() << "\n";
            return EXIT_CONFIG;
        }
        catch (const Poco::Exception& e)
        {
            std::cerr << "birdgate: " << e.displayText() << "\n";
            return EXIT_SOFTWARE;
        }
        catch (const std::exception& e)
        {
            std::cerr << "birdgate: " << e.what() << "\n";
            return EXIT_SOFTWARE;
        }
        Poco::Net::uninitializeSSL();
        return EXIT_OK;
    }

  private:
    bool _checkOnly = false;
    bool _exitEarly = false;
};
} // namespace

POCO_SERVER_MAIN(BirdgateApp)
