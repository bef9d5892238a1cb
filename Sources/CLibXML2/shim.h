#ifndef NNETNAV_CLIBXML2_SHIM_H
#define NNETNAV_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* Debian's libxml2 is built with ICU, so encoding.h would pull in the system ICU headers, whose
   UErrorCode clashes with the copy inside swift-corelibs-foundation. The parser does not need
   ICU types in its API, so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#endif
