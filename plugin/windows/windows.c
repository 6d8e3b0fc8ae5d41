#include "bootfix-module.h"
