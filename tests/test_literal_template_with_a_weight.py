"""A template given with -t whose number is set apart by a tab (a line copied from a table of
weighted templates) is refused, as a template file of such lines is: the tab and the number went
into every prompt. A number among a template's words stays text."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates


@pytest.mark.parametrize("template", ["a photo of a {}.\t2", "a photo of a {}.\t 0.5", "2\ta {}"])
def test_a_literal_template_with_a_tab_weight_is_refused(template):
    with pytest.raises(ZslError, match="has a number set apart by a tab") as error:
        resolve_templates(template)
    assert "templates have no weights" in error.value.message
    assert "\t" not in error.value.message  # shown escaped, on one line


@pytest.mark.parametrize("template", ["a photo of {}, 2", "a {} in\tcolour", "{} 2"])
def test_a_number_among_a_template_s_words_stays(template):
    assert resolve_templates(template).templates == (template,)
