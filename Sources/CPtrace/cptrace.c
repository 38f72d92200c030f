#include "cptrace.h"
