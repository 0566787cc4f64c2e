"""SVG charts: valid XML, accessible, escaped, CSP-friendly."""

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes import charts
from quizzes.charts import bar_chart_svg, histogram_svg

SVG = "{http://www.w3.org/2000/svg}"
XSS = "<script>alert(1)</script>"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "bar" in r.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def assert_csp_safe(svg: str, root: ET.Element) -> None:
    for element in root.iter():
        assert element.tag != f"{SVG}script"
        assert "style" not in element.attrib
        assert not any(name.lower().startswith("on") for name in element.attrib)
    assert "<script" not in svg


def assert_accessible(root: ET.Element) -> None:
    assert root.get("role") == "img"
    assert root.get("viewBox")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    # aria-labelledby points at the title and desc.
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]


def histogram(values, **kwargs):
    defaults = {"max_value": 10, "title": "Scores", "x_label": "Score", "y_label": "Attempts"}
    return histogram_svg(values, **(defaults | kwargs))


def test_histogram_counts_values_per_bin():
    svg = histogram([0, 1, 1.5, 2, 9.99, 10, 12, -1], bins=5)
    root = parse(svg)
    assert_accessible(root)
    assert_csp_safe(svg, root)
    bars = bars_of(root)
    assert len(bars) == 5
    # Bins [0,2) [2,4) [4,6) [6,8) [8,10]: −1 clamps to the first, 12 to the last.
    assert [b.find(f"{SVG}title").text.split(": ")[1] for b in bars] == ["4", "1", "0", "0", "3"]
    counts = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "count"]
    assert counts == ["4", "1", "0", "0", "3"]
    assert {"Score", "Attempts", "Scores"} <= set(texts(root))
    assert {"0", "2", "4", "6", "8", "10"} <= set(texts(root))  # tick labels


@pytest.mark.parametrize("bins", [1, 3, 10, 25])
def test_histogram_draws_one_bar_per_bin(bins):
    assert len(bars_of(parse(histogram([1, 2, 3], bins=bins)))) == bins


def test_histogram_tallest_bar_fills_the_plot_and_heights_scale():
    root = parse(histogram([1, 1, 1, 1, 5, 5], bins=2))
    heights = [float(b.get("height")) for b in bars_of(root)]
    assert heights[0] == pytest.approx(2 * heights[1])


def test_histogram_escapes_caller_text():
    svg = histogram([1], title=XSS, x_label='a "quoted" & <b>', y_label="it's")
    root = parse(svg)
    assert_csp_safe(svg, root)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert root.find(f"{SVG}title").text == XSS  # round-trips as text, not markup
    assert 'a "quoted" & <b>' in texts(root)


def test_histogram_keeps_cyrillic():
    svg = histogram([3], title="Распределение баллов", x_label="Баллы", y_label="Попытки")
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Распределение баллов"
    assert {"Баллы", "Попытки"} <= set(texts(root))


@pytest.mark.parametrize("values", [[], [float("nan")]])
def test_histogram_without_data(values):
    svg = histogram(values, title="Пусто", no_data_text="Нет данных")
    root = parse(svg)
    assert_accessible(root)
    assert bars_of(root) == []
    assert "Нет данных" in texts(root)
    assert root.find(f"{SVG}title").text == "Пусто"


def test_histogram_with_zero_max_value_does_not_divide_by_zero():
    assert len(bars_of(parse(histogram([0, 0], max_value=0, bins=4)))) == 4


def test_histogram_rejects_zero_bins():
    with pytest.raises(ValueError):
        histogram([1], bins=0)


def test_histogram_custom_description():
    root = parse(histogram([1], description="Гистограмма"))
    assert root.find(f"{SVG}desc").text == "Гистограмма"


def test_histogram_ids_differ_between_charts():
    first = parse(histogram([1], title="A")).get("aria-labelledby")
    second = parse(histogram([1], title="B")).get("aria-labelledby")
    assert first != second
    assert parse(histogram([1], title="A")).get("aria-labelledby") == first  # deterministic


@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=50),
    st.floats(min_value=-5, max_value=1e6),
    st.integers(min_value=1, max_value=30),
    st.text(),
)
def test_histogram_is_always_valid_xml(values, max_value, bins, title):
    svg = histogram(values, max_value=max_value, bins=bins, title=title)
    root = parse(svg)
    assert_csp_safe(svg, root)
    finite_or_inf = [v for v in values if v == v]
    if finite_or_inf:
        bars = bars_of(root)
        assert len(bars) == bins
        total = sum(int(b.find(f"{SVG}title").text.rsplit(": ", 1)[1]) for b in bars)
        assert total == len(finite_or_inf)


OPTIONS = [
    ("MaxPooling", 12, "correct"),
    ("Полносвязный слой", 3, "incorrect"),
    ("Batch Normalization", 5, "partial"),
    ("No answer", 2, "none"),
]


def test_bar_chart_draws_labelled_bars():
    svg = bar_chart_svg(OPTIONS, title="Ответы на вопрос 1")
    root = parse(svg)
    assert_accessible(root)
    assert_csp_safe(svg, root)
    bars = bars_of(root)
    assert [b.get("class") for b in bars] == [
        "bar correct",
        "bar incorrect",
        "bar partial",
        "bar none",
    ]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == max(widths)
    assert widths[1] == pytest.approx(widths[0] * 3 / 12, abs=0.1)
    all_text = texts(root)
    assert {"MaxPooling", "Полносвязный слой", "12", "3", "5", "2"} <= set(all_text)
    assert root.find(f"{SVG}title").text == "Ответы на вопрос 1"
    assert "Полносвязный слой: 3" in root.find(f"{SVG}desc").text


def test_bar_chart_escapes_labels_and_classes():
    svg = bar_chart_svg(
        [(XSS, 1, 'x" onclick="alert(1)'), ("O'Reilly & <Sons>", 2, "correct")],
        title='"Quiz" <b>',
    )
    root = parse(svg)
    assert_csp_safe(svg, root)
    assert "<script>" not in svg
    assert svg.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # label and its <title>
    assert XSS in texts(root)
    assert "O'Reilly & <Sons>" in texts(root)
    assert root.find(f"{SVG}title").text == '"Quiz" <b>'
    # The hostile class is reduced to one harmless token.
    assert bars_of(root)[0].get("class") == "bar x--onclick--alert-1-"


def test_bar_chart_shortens_long_labels_but_keeps_them_in_the_tooltip():
    label = "Очень длинный вариант ответа, который не помещается на диаграмме целиком"
    root = parse(bar_chart_svg([(label, 1, "correct")], title="T"))
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert shown[0].endswith("…") and len(shown[0]) == charts.LABEL_CHARS
    tooltips = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]
    assert tooltips == [f"{label}: 1"]


def test_bar_chart_all_zero_counts():
    root = parse(bar_chart_svg([("A", 0, "none"), ("B", 0, "none")], title="T"))
    assert [float(b.get("width")) for b in bars_of(root)] == [0, 0]


def test_bar_chart_without_data():
    svg = bar_chart_svg([], title=XSS)
    root = parse(svg)
    assert_accessible(root)
    assert_csp_safe(svg, root)
    assert bars_of(root) == []
    assert "No data" in texts(root)


def test_bar_chart_rejects_negative_counts():
    with pytest.raises(ValueError):
        bar_chart_svg([("A", -1, "none")], title="T")


def test_control_characters_are_dropped_to_keep_xml_valid():
    svg = bar_chart_svg([("bell\x07 and nul\x00", 1, "none")], title="esc\x1b")
    root = parse(svg)
    assert "bell and nul" in texts(root)


def test_shortened_labels_fit_the_label_column():
    # Regression: 40-character labels were wider than the 250px column and ran off the image.
    label = "Он адаптирует learning rate для каждого параметра"
    root = parse(bar_chart_svg([(label, 3, "correct")], title="T"))
    text = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "label")
    room = float(text.get("x"))  # right-aligned: the text extends leftwards from x
    assert len(text.text) * charts.AVERAGE_GLYPH_WIDTH <= room
