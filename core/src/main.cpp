// birdgate [options] [config.yaml]: runs the gateway in the foreground, or
// with --daemon --pidfile=P on Unix (Poco's ServerApplication detaches).
//
// DESIGN.md 7: the whole configuration is read and validated before anything
// listens and before detaching, so a bad config exits 78 with the message on
// stderr in both modes. Exit codes (sysexits.h): 0, 64 bad command line, 78
// config, 70 anything else. Signals are blocked in every thread and taken
// here, in the main thread: SIGTERM/SIGINT drain for app.drain seconds and
// exit 0, SIGHUP reloads (validated first; a bad config keeps the old one),
// SIGUSR1 reopens the logs, SIGPIPE is ignored. Under systemd (Type=notify)
// READY=1, RELOADING=1 and STOPPING=1 are sent around each of those.
#include "birdgate/config/Config.h"
#include "birdgate/ops/Logging.h"
#include "birdgate/ops/Metrics.h"
#include "birdgate/ops/Platform.h"
#include "birdgate/server/Gateway.h"
#include "birdgate/server/HandlerTable.h"

#include <Poco/Logger.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

namespace
{
constexpr int EXIT_USAGE_CODE = 64;
constexpr int EXIT_CONFIG_CODE = 78;
constexpr int EXIT_SOFTWARE_CODE = 70;

/// The default config: birdgate.yaml in the starting folder.
std::string configPath(const std::vector<std::string>& args)
{
    return args.empty() ? "birdgate.yaml" : args[0];
}

/// Loads `path` and builds the whole gateway without serving: what --check
/// and the check before detaching run. Prints the error, returns its code.
int validate(const std::string& path, bool quietWarnings)
{
    try
    {
        birdgate::Config config = birdgate::Config::load(path, birdgate::handlerNames());
        birdgate::logging::check(config.app, config.mainFile);
        birdgate::Gateway gateway(config);
        if (!quietWarnings)
            for (const auto& w : gateway.warnings()) std::cerr << "birdgate: warning: " << w << "\n";
        return 0;
    }
    catch (const birdgate::ConfigError& e)
    {
        std::cerr << "birdgate: configuration error: " << e.what() << "\n";
        return EXIT_CONFIG_CODE;
    }
    catch (const std::exception& e)
    {
        std::cerr << "birdgate: " << e.what() << "\n";
        return EXIT_SOFTWARE_CODE;
    }
}

class BirdgateApp : public Poco::Util::ServerApplication
{
  public:
    explicit BirdgateApp(std::string startDir) : _startDir(std::move(startDir)) {}

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
        help.setHeader("A gateway to the Twitter (X) API: OAuth signing, login, cache, transforms, streams.");
        help.setFooter("Signals: TERM/INT drain and exit, HUP reloads the config, USR1 reopens the logs. "
                       "Exit codes: 0, 64 bad command line, 78 configuration, 70 other.");
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
        if (args.size() > 1)
        {
            std::cerr << "birdgate: one configuration file at most (got " << args.size() << ")\n";
            return EXIT_USAGE_CODE;
        }
        const std::string path = configPath(args);
        if (_checkOnly)
        {
            int rc = validate(path, false);
            if (rc == 0) std::cout << path << ": configuration OK\n";
            return rc;
        }
        // A daemon starts in "/": paths in the config are relative to where
        // birdgate was started, as they are in the foreground.
        if (config().getBool("application.runAsDaemon", false)) std::filesystem::current_path(_startDir);
        Poco::Net::initializeSSL();
        int rc = serve(path);
        Poco::Net::uninitializeSSL();
        return rc;
    }

  private:
    int serve(const std::string& path)
    {
        const bool daemon = config().getBool("application.runAsDaemon", false);
        Poco::Logger& log = Poco::Logger::get("birdgate");
        try
        {
            birdgate::Config config = birdgate::Config::load(path, birdgate::handlerNames());
            birdgate::logging::configure(config.app, config.mainFile, daemon);
            birdgate::Gateway gateway(config);
            for (const auto& w : gateway.warnings()) log.warning("%s", w);
            gateway.start();
            log.information("birdgate %s listening on http%s://%s:%d/ (%s)", std::string(BIRDGATE_VERSION),
                            std::string(config.app.tlsCert.empty() ? "" : "s"), config.app.host, gateway.port(), path);
            birdgate::platform::notifyService("READY=1\nSTATUS=serving on port " + std::to_string(gateway.port()));
            while (true)
            {
                birdgate::platform::Signal signal = birdgate::platform::waitForSignal();
                if (signal == birdgate::platform::Signal::Terminate) break;
                if (signal == birdgate::platform::Signal::ReopenLogs)
                {
                    gateway.reopenLogs();
                    log.information("logs reopened (SIGUSR1)");
                    continue;
                }
                reload(gateway, path, log);
            }
            birdgate::platform::notifyService("STOPPING=1");
            log.information("shutting down: finishing in-flight requests (up to %d s)", config.app.drain);
            gateway.stop(config.app.drain);
            log.information("stopped");
            return EXIT_OK;
        }
        catch (const birdgate::ConfigError& e)
        {
            std::cerr << "birdgate: configuration error: " << e.what() << "\n";
            log.critical("configuration error: %s", std::string(e.what()));
            return EXIT_CONFIG_CODE;
        }
        catch (const std::exception& e)
        {
            std::cerr << "birdgate: " << e.what() << "\n";
            log.critical("%s", std::string(e.what()));
            return EXIT_SOFTWARE_CODE;
        }
    }

    /// SIGHUP: the new config is validated and built whole before it
    /// replaces the running one; on any error the old one keeps serving.
    static void reload(birdgate::Gateway& gateway, const std::string& path, Poco::Logger& log)
    {
        birdgate::platform::notifyService("RELOADING=1\nMONOTONIC_USEC=" +
                                          std::to_string(birdgate::platform::monotonicMicroseconds()));
        try
        {
            birdgate::Config fresh = birdgate::Config::load(path, birdgate::handlerNames());
            for (const auto& note : gateway.reload(fresh)) log.warning("reload: %s", note);
            gateway.metrics().configReload(true);
            log.information("configuration reloaded from %s (SIGHUP)", path);
        }
        catch (const birdgate::ConfigError& e)
        {
            gateway.metrics().configReload(false);
            log.error("reload failed, still serving the previous configuration: %s", std::string(e.what()));
        }
        catch (const std::exception& e)
        {
            gateway.metrics().configReload(false);
            log.error("reload failed, still serving the previous configuration: %s", std::string(e.what()));
        }
        birdgate::platform::notifyService("READY=1");
    }

    std::string _startDir;
    bool _checkOnly = false;
    bool _exitEarly = false;
};

/// Poco's own option errors exit 78 (EXIT_CONFIG); birdgate promises 64 for
/// a bad command line, so options are checked here first, the way Poco
/// matches them (a long name or a unique prefix of one, `=value` for those
/// that take one).
int checkOptions(int argc, char** argv, std::vector<std::string>& positional, bool& daemon)
{
    struct Known
    {
        std::string_view name;
        char shortName;
        bool takesValue;
    };
    static const Known KNOWN[] = {{"help", 'h', false}, {"check", 'c', false}, {"version", 'V', false},
                                  {"daemon", 0, false}, {"pidfile", 0, true},  {"umask", 0, true}};
    for (int i = 1; i < argc; ++i)
    {
        std::string_view arg = argv[i];
        if (arg.size() < 2 || arg[0] != '-')
        {
            positional.emplace_back(arg);
            continue;
        }
        const Known* found = nullptr;
        std::string_view value;
        bool hasValue = false;
        if (arg.starts_with("--"))
        {
            std::string_view name = arg.substr(2);
            if (auto eq = name.find_first_of("=:"); eq != std::string_view::npos)
            {
                value = name.substr(eq + 1);
                hasValue = true;
                name = name.substr(0, eq);
            }
            int matches = 0;
            for (const auto& k : KNOWN)
                if (!name.empty() && k.name.starts_with(name))
                {
                    found = &k;
                    ++matches;
                    if (k.name == name)
                    {
                        matches = 1;
                        break;
                    }
                }
            if (matches != 1) found = nullptr;
        }
        else if (arg.size() == 2)
        {
            for (const auto& k : KNOWN)
                if (k.shortName && k.shortName == arg[1]) found = &k;
        }
        if (!found)
        {
            std::cerr << "birdgate: unknown option " << arg << " (see birdgate --help)\n";
            return EXIT_USAGE_CODE;
        }
        if (found->takesValue && (!hasValue || value.empty()))
        {
            std::cerr << "birdgate: option --" << found->name << " needs a value: --" << found->name << "=...\n";
            return EXIT_USAGE_CODE;
        }
        if (!found->takesValue && hasValue)
        {
            std::cerr << "birdgate: option --" << found->name << " takes no value\n";
            return EXIT_USAGE_CODE;
        }
        if (found->name == "daemon") daemon = true;
    }
    return 0;
}
} // namespace

int main(int argc, char** argv)
{
    // Before any thread exists: every thread inherits the blocked signals.
    birdgate::platform::prepareSignals();
    std::vector<std::string> positional;
    bool daemon = false;
    if (int rc = checkOptions(argc, argv, positional, daemon)) return rc;
    const std::string startDir = std::filesystem::current_path().string();
    std::vector<std::string> arguments(argv, argv + argc);
    if (daemon)
    {
        // Validate in the foreground, where stderr still reaches the user,
        // and hand the daemon an absolute config path (it starts in "/").
        if (positional.size() > 1)
        {
            std::cerr << "birdgate: one configuration file at most (got " << positional.size() << ")\n";
            return EXIT_USAGE_CODE;
        }
        const std::string path = configPath(positional);
        Poco::Net::initializeSSL();
        int rc = validate(path, true);
        Poco::Net::uninitializeSSL();
        if (rc) return rc;
        const std::string absolute = std::filesystem::absolute(path).string();
        if (positional.empty())
            arguments.push_back(absolute);
        else
            for (auto& a : arguments)
                if (a == positional[0]) a = absolute;
    }
    std::vector<char*> args;
    for (auto& a : arguments) args.push_back(a.data());
    args.push_back(nullptr);
    BirdgateApp app(startDir);
    return app.run(static_cast<int>(arguments.size()), args.data());
}
