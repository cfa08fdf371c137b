// The gNMI username and password, read from the environment the way
// container platforms hand out secrets: GNMI_USERNAME / GNMI_PASSWORD, or
// GNMI_USERNAME_FILE / GNMI_PASSWORD_FILE naming a file that holds them.
#pragma once

#include <functional>
#include <string>

#include <tl/expected.hpp>

namespace driad::health {

struct GnmiCredentials {
  std::string username;
  std::string password;  // never logged
};

// Looks a variable up; nullptr when unset. Tests pass their own.
using EnvLookup = std::function<const char*(const char*)>;

// One secret: the variable `name`, or the contents of the file its `name`_FILE
// twin names (trailing newlines dropped); empty when neither is set; an error
// when both are, or the file cannot be read. Shared by every feed's credentials.
tl::expected<std::string, std::string> read_env_secret(const EnvLookup& lookup,
                                                       const std::string& name);

// Reads both credentials. For each, the variable or its _FILE twin may be
// set, not both (an error: the operator should know which one wins). A file's
// trailing newlines are dropped. A credential set nowhere is empty: JunOS
// still gets the (empty) metadata, which is what `skip-authentication` wants.
// Errors say which variable and why (unreadable file, both set).
tl::expected<GnmiCredentials, std::string> read_gnmi_credentials(const EnvLookup& lookup);
tl::expected<GnmiCredentials, std::string> read_gnmi_credentials();

}  // namespace driad::health
