"""Tests of the staffing core: roster checks, roster solver, Erlang C, forecast, simulation."""
