# Turns the prelude's Lua modules (DIR/*.lua) into one C file, OUT, holding the table
# dessa_modules[] = { name, text, length }, so the prelude ships inside the binary.
file(GLOB files ${DIR}/*.lua)
list(SORT files)
set(arrays "")
set(table "")
set(count 0)
foreach(f ${files})
  get_filename_component(name ${f} NAME_WE)
  file(READ ${f} hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR bytes "${n} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
  string(APPEND arrays "static const unsigned char mod_${name}[] = {${body} 0x00};\n")
  string(APPEND table "    { \"${name}\", mod_${name}, ${bytes} },\n")
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE ${OUT} "/* generated from the modules in ${DIR} by lua/embed.cmake; do not edit */
#include <stddef.h>
typedef struct dessa_module { const char *name; const unsigned char *src; size_t len; } dessa_module;
${arrays}
const dessa_module dessa_modules[] = {
${table}};
const size_t dessa_nmodules = ${count};
")
