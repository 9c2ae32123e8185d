/* tests/unit/core/test_error.c -- the one-line form of an error (src/core/error.c): control
 * characters that user text brings into a message (a YAML scalar folded over lines, a path
 * typed with a newline, an escape sequence) are written visibly, so the line stays one line
 * and cannot rewrite a terminal; UTF-8 survives, also at a cut. Found by tests/fuzz. */
#include <criterion/criterion.h>
#include <string.h>

#include "longmen/error.h"

Test(error_format, escapes_control_characters)
{
    lm_error err;
    lm_error_set_at(&err, LM_EINVAL, "x.yaml", 3, 5, "regions[0]", "got \"a\nb\rc\td\x1b[2J\x7f\"");
    char buf[256];
    cr_assert_str_eq(lm_error_format(&err, buf, sizeof buf),
                     "x.yaml:3:5: regions[0]: got \"a\\nb\\rc\\td\\x1b[2J\\x7f\"");
}

Test(error_format, keeps_utf8_and_cuts_between_characters)
{
    lm_error err;
    lm_error_set_at(&err, LM_EINVAL, "杭州.yaml", 0, 0, NULL, "杭州 and 合肥");
    char buf[64];
    cr_assert_str_eq(lm_error_format(&err, buf, sizeof buf), "杭州.yaml: 杭州 and 合肥");
    /* "杭州.yaml: 杭" is 3+3+5+2+3 = 16 bytes; a 17-byte buffer holds exactly that. */
    char small[17];
    cr_assert_str_eq(lm_error_format(&err, small, sizeof small), "杭州.yaml: 杭");
    char tiny[18]; /* one byte more is not enough for the next character */
    cr_assert_str_eq(lm_error_format(&err, tiny, sizeof tiny), "杭州.yaml: 杭");
}

Test(error_format, a_newline_in_a_path)
{
    lm_error err;
    lm_error_set_at(&err, LM_EIO, "runs/a\nb", 0, 0, NULL, "cannot create runs/a\nb: denied");
    char buf[128];
    lm_error_format(&err, buf, sizeof buf);
    cr_assert_null(strchr(buf, '\n'), "%s", buf);
    cr_assert_str_eq(buf, "cannot create runs/a\\nb: denied");
}
