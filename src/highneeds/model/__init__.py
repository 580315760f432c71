"""The model: takes the gate's typed tables, gives the deficit roll-forward, its scenarios, the
interventions' savings and EHCP demand, as pure arithmetic on pandas tables."""
