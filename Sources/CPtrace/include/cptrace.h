#ifndef CPTRACE_H
#define CPTRACE_H
#endif
