"""The scorecard's radar is plain geometry computed on the server."""

from saas.web.charts import radar


def test_radar_geometry():
    chart = radar({"financial": 100, "patient": 50, "process": None, "learning": 0})
    cx, cy = chart["cx"], chart["cy"]
    radius = cy - 40
    first, second, fourth = chart["dots"]          # process has no data: no point at all
    assert first == (cx, cy - radius)             # financial up, full
    assert second == (cx + radius / 2, cy)        # patient right, half
    assert fourth == (cx, cy)                     # zero at the centre
    assert chart["shape"].count(",") == 3
    assert [label["value"] for label in chart["labels"]] == [100, 50, None, 0]
    assert [label["anchor"] for label in chart["labels"]] == ["middle", "start", "middle",
                                                               "end"]
    assert len(chart["rings"]) == 4 and chart["width"] > chart["height"]
