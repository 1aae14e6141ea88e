import adcli


def test_seed_example_gradient():
    r = adcli.grad("(x+y)*(x-y)", x=3, y=2)
    assert r.value == [5.0]
    assert r.gradient == {"x": 6.0, "y": -4.0}
