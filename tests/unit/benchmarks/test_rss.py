from benchmarks.rss import status_kib

STATUS = """Name:\tpython
VmPeak:\t  900000 kB
VmHWM:\t  204800 kB
VmRSS:\t  102400 kB
"""


def test_memory_fields_are_read_in_kib_from_proc_status():
    assert status_kib(STATUS, "VmHWM") == 204800
    assert status_kib(STATUS, "VmRSS") == 102400


def test_a_missing_field_is_none_not_zero():
    # Kernel threads and zombies have no VmRSS line.
    assert status_kib("Name:\tkthreadd\n", "VmRSS") is None
