"""World Director: rules, sliders, throttles, controls, Questmaker monitor."""
