"""The committee's anonymous vote (评委会无记名投票): sessions, ballots and the voter roll, the close (by the
secretariat or the beat job in ``tasks``), the results and the tier plan that proposes candidates."""
