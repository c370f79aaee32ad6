from hullscan.cli import main

raise SystemExit(main())
