// holo: thin command-line shell over holo::driver. No algorithms here.
#include <exception>
#include <iostream>
#include <map>
#include <memory>

#include "cli.h"
#include "holo/support/error.h"
#include "holo/support/version.h"

namespace holo::cli {
namespace {
std::map<const CLI::App*, Action>& actions() {
  static std::map<const CLI::App*, Action> a;  // filled once in main before parsing
  return a;
}
}  // namespace

void add_common_flags(CLI::App& sub, CommonFlags& flags) {
  sub.add_flag("-q,--quiet", flags.quiet, "Print nothing but errors (and the --json object)");
  sub.add_flag("--json", flags.json, "Print a machine-readable JSON object on stdout and nothing else there");
}

void set_action(CLI::App& sub, Action action) {
  actions()[&sub] = std::move(action);
}

}  // namespace holo::cli

int main(int argc, char** argv) {
  using namespace holo::cli;
  CLI::App app{"holo: compile trained neural networks into photonic integrated circuits"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("holo ") + holo::kVersion);
  CommonFlags flags;
  register_inspect(app, flags);
  register_run(app, flags);
  register_eval(app, flags);
  register_decompose(app, flags);
  register_bench(app, flags);
  register_compile(app, flags);
  register_simulate(app, flags);
  register_explore(app, flags);
  register_drc(app, flags);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(app, e);
  }

  // The deepest chosen subcommand with an action runs.
  const CLI::App* chosen = &app;
  for (;;) {
    auto subs = chosen->get_subcommands();
    if (subs.empty()) break;
    chosen = subs.front();
  }
  auto& table = holo::cli::actions();
  auto it = table.find(chosen);
  if (it == table.end()) {  // every command group requires a subcommand, so the parser has already said so
    print_error("CLI-MISSING-COMMAND", "'" + chosen->get_name() + "' needs a command; run 'holo --help'");
    return 2;
  }
  try {
    CommandOutput out = it->second(flags);
    for (const holo::Warning& w : out.warnings) print_warning(w.code, w.message);
    if (flags.json) {
      std::cout << out.json.dump(2) << "\n";
    } else if (!flags.quiet && !out.text.empty()) {
      std::cout << out.text;
      if (out.text.back() != '\n') std::cout << "\n";
    }
    std::cout.flush();
    return out.exit_code;
  } catch (const holo::Error& e) {
    print_error(e.code(), e.what());
    return e.kind() == holo::ErrorKind::BadInput ? 2 : 1;
  } catch (const std::bad_alloc&) {
    print_error("OUT-OF-MEMORY", "ran out of memory");
    return 1;
  } catch (const std::exception& e) {
    print_error("INTERNAL", e.what());
    return 1;
  }
}
