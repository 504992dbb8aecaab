# Turns the files DIR/*.EXT into one C file, OUT, holding the table TABLE[] = { name, text,
# length } of type TYPE and its length COUNT, so that what they hold ships inside the binary:
# the prelude's Lua modules (lua/dessa/*.lua) and the gnuplot scripts (plots/*.gp).
#   cmake -DDIR=... -DOUT=... -DEXT=lua -DTYPE=dessa_module -DTABLE=dessa_modules
#         -DCOUNT=dessa_nmodules -P cmake/embed.cmake
file(GLOB files ${DIR}/*.${EXT})
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
  string(APPEND arrays "static const unsigned char src_${name}[] = {${body} 0x00};\n")
  string(APPEND table "    { \"${name}\", src_${name}, ${bytes} },\n")
  math(EXPR count "${count} + 1")
endforeach()
file(WRITE ${OUT} "/* generated from the .${EXT} files of ${DIR} by cmake/embed.cmake; do not edit */
#include <stddef.h>
typedef struct ${TYPE} { const char *name; const unsigned char *src; size_t len; } ${TYPE};
${arrays}
extern const ${TYPE} ${TABLE}[];
extern const size_t ${COUNT};
const ${TYPE} ${TABLE}[] = {
${table}};
const size_t ${COUNT} = ${count};
")
