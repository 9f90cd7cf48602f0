"""`python -m ouro_launcher ...` (what ./ourobouro runs)."""

from ouro_launcher.cli import main

raise SystemExit(main())
