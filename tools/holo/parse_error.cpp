// One coded stderr line for every failed command-line parse (docs/errors.md, "Command line"): CLI11's exception
// types map to CLI-* codes, the message names the option or word and what was expected, and ends with the help
// command of the (sub)command the parser had reached.
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"

namespace holo::cli {

namespace {

std::string without_suffix(const std::string& s, const std::string& suffix) {
  if (s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return s.substr(0, s.size() - suffix.size());
  }
  return s;
}

// "Model file (.onnx or .json)" -> "model file (.onnx or .json)"; leaves "GDSII ..." alone.
std::string lower_first(std::string s) {
  if (s.size() > 1 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z')
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  return s;
}

std::string commands_of(const CLI::App& app) {
  std::string list;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); })) {
    list += (list.empty() ? "" : ", ") + sub->get_name();
  }
  return list;
}

bool looks_like_option(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-';
}

struct Coded {
  std::string code, message;
  const CLI::App* help_for = nullptr;  // whose --help the hint names (default: the command the parser had reached)
};

// "bench decompose" for holo bench decompose, "" for holo itself.
std::string path_of(const CLI::App* a) {
  std::string path;
  for (; a != nullptr && a->get_parent() != nullptr; a = a->get_parent()) {
    path = a->get_name() + (path.empty() ? "" : " ") + path;
  }
  return path;
}

// The leftovers CLI11 could not place, in command-line order, and the app that holds them.
struct Leftover {
  const CLI::App* app = nullptr;
  std::vector<std::string> args;
};
Leftover first_leftover(const std::vector<const CLI::App*>& chain) {
  for (const CLI::App* a : chain) {
    std::vector<std::string> rest;
    for (const auto& arg : a->remaining(false))
      if (arg != "--") rest.push_back(arg);
    if (!rest.empty()) return {a, rest};
  }
  return {};
}

Coded translate(const std::vector<const CLI::App*>& chain, const CLI::ParseError& e) {
  const CLI::App& cmd = *chain.back();
  const std::string where = chain.size() > 1 ? path_of(&cmd) : "holo";
  const std::string what = e.what();

  if (dynamic_cast<const CLI::RequiredError*>(&e)) {
    if (cmd.get_require_subcommand_min() > 0 && cmd.get_subcommands().empty()) {
      const std::string commands = commands_of(cmd);
      for (const auto& arg : cmd.remaining(false)) {
        if (!looks_like_option(arg)) {
          return {"CLI-UNKNOWN-COMMAND", fmt::format("'{}' is not a {} command; commands: {}", arg, where, commands)};
        }
      }
      const auto rest = cmd.remaining(false);
      if (!rest.empty() && rest.front() != "--") {
        return {"CLI-UNKNOWN-OPTION", fmt::format("{} has no option {}; commands: {}", where, rest.front(), commands)};
      }
      return {"CLI-MISSING-COMMAND", fmt::format("{} needs a command: {}", where, commands)};
    }
    // "<name> is required": name is an option's or a positional's
    const std::string name = without_suffix(what, " is required");
    const CLI::Option* opt = cmd.get_option_no_throw(name);
    if (opt == nullptr) return {"CLI-MISSING-OPTION", fmt::format("{}: {}", where, what)};
    const std::string names = opt->get_name(true, true);
    return {"CLI-MISSING-OPTION", fmt::format("{} needs {} ({})", where, names, lower_first(opt->get_description()))};
  }

  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    const Leftover left = first_leftover(chain);
    if (left.app != nullptr) {
      const std::string& arg = left.args.front();
      const bool root = left.app->get_parent() == nullptr;
      const std::string owner = root ? "holo" : path_of(left.app);
      if (looks_like_option(arg)) {
        return {"CLI-UNKNOWN-OPTION",
                root && chain.size() > 1 ? fmt::format("holo has no option {} (options go after the command)", arg)
                                         : fmt::format("{} has no option {}", owner, arg),
                left.app};
      }
      if (root) {
        return {"CLI-UNKNOWN-COMMAND",
                fmt::format("'{}' is not a holo command; commands: {}", arg, commands_of(*left.app)), left.app};
      }
      const std::string more = left.args.size() > 1 ? fmt::format(" (nor {} more)", left.args.size() - 1) : "";
      return {"CLI-EXTRA-ARGUMENT", fmt::format("{} takes no argument '{}'{}", owner, arg, more), left.app};
    }
    return {"CLI-EXTRA-ARGUMENT", fmt::format("{}: {}", where, what)};
  }

  if (dynamic_cast<const CLI::ValidationError*>(&e)) {
    return {"CLI-BAD-OPTION", what};  // "<option>: '<value>' ...; expected ..." (checks.cpp)
  }

  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) {
    // "<name>: 1 required INT missing" (no value after the option) or "<name>: At Most 1 required but received 2".
    const std::string name = what.substr(0, what.find(':'));
    const CLI::Option* opt = cmd.get_option_no_throw(name);
    if (what.find(" missing") != std::string::npos) {
      return {"CLI-BAD-OPTION", opt ? fmt::format("{} needs a value ({})", name, opt->get_type_name())
                                    : fmt::format("{}: {}", where, what)};
    }
    if (what.find("At Most") != std::string::npos) {
      return {"CLI-BAD-OPTION", fmt::format("{} is given more than once; give it once", name)};
    }
    return {"CLI-BAD-OPTION", fmt::format("{}: {}", where, what)};
  }

  if (dynamic_cast<const CLI::ConversionError*>(&e)) {
    // "Could not convert: <name> = <value>": a flag given a value that is not true/false (options with values are
    // checked before conversion, checks.cpp).
    const std::string prefix = "Could not convert: ";
    const size_t eq = what.find(" = ");
    if (what.rfind(prefix, 0) == 0 && eq != std::string::npos) {
      const std::string name = what.substr(prefix.size(), eq - prefix.size());
      const std::string value = what.substr(eq + 3);
      const CLI::Option* opt = cmd.get_option_no_throw(name);
      if (opt != nullptr && opt->get_items_expected_max() == 0) {
        return {"CLI-BAD-OPTION", fmt::format("{} is a flag: '{}' is not true or false (give {} alone)", name,
                                              value.substr(0, 40), name)};
      }
      return {"CLI-BAD-OPTION", fmt::format("{}: '{}' cannot be read", name, value.substr(0, 40))};
    }
  }

  // Anything else CLI11 can throw.
  return {"CLI-BAD-OPTION", fmt::format("{}: {}", where, what)};
}

}  // namespace

namespace {
// One line whatever the message holds: control characters escaped.
std::string one_line(const std::string& message) {
  std::string line;
  line.reserve(message.size());
  for (char c : message) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      line += "\\n";
    } else if (c == '\r') {
      line += "\\r";
    } else if (c == '\t') {
      line += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      line += fmt::format("\\x{:02x}", u);
    } else {
      line += c;
    }
  }
  return line;
}
}  // namespace

void print_error(const std::string& code, const std::string& message) {
  std::fprintf(stderr, "holo: error [%s]: %s\n", code.c_str(), one_line(message).c_str());
}

void print_warning(const std::string& code, const std::string& message) {
  std::fprintf(stderr, "holo: warning [%s]: %s\n", code.c_str(), one_line(message).c_str());
}

int report_parse_error(const CLI::App& app, const CLI::ParseError& e) {
  // The (sub)command the parser had reached: the deepest chosen subcommand.
  std::vector<const CLI::App*> chain{&app};
  for (;;) {
    const auto subs = chain.back()->get_subcommands();
    if (subs.empty()) break;
    chain.push_back(subs.front());
  }
  const Coded c = translate(chain, e);
  const std::string path = path_of(c.help_for ? c.help_for : chain.back());
  print_error(c.code, fmt::format("{}; run 'holo {}--help'", c.message, path.empty() ? "" : path + " "));
  return 2;
}

}  // namespace holo::cli
