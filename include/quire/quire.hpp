#pragma once
// The C++ API of quire, in one include.

#include <quire/quire_version.h>

#include <quire/audit.hpp>
#include <quire/auth.hpp>
#include <quire/context.hpp>
#include <quire/database.hpp>
#include <quire/error.hpp>
#include <quire/options.hpp>
#include <quire/permission.hpp>
#include <quire/post.hpp>
#include <quire/result.hpp>
#include <quire/tenant.hpp>
#include <quire/time.hpp>
#include <quire/transaction.hpp>
#include <quire/types.hpp>
#include <quire/user.hpp>
#include <quire/version.hpp>
