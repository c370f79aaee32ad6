"""The ``file`` scanner: checks over file metadata of the squashed image and of every layer.

Check ids: ``file/setuid``, ``file/setgid``, ``file/world-writable`` (:mod:`.permissions`);
``file/ssh-host-key``, ``file/authorized-keys``, ``file/private-key-file`` (:mod:`.keys`);
``file/shell-in-minimal``, ``file/compiler-in-image`` (:mod:`.minimal`); ``file/cache-<kind>`` (:mod:`.caches`);
``file/wasted-bytes``, ``file/layer-efficiency`` (:mod:`.efficiency`, whose :func:`.efficiency.efficiency_table`
gives the per-layer table to report sections).
"""

from hullscan.checks.file.efficiency import EfficiencyTable, LayerEfficiency, efficiency_table
from hullscan.checks.file.scanner import FileScanner

__all__ = ["EfficiencyTable", "FileScanner", "LayerEfficiency", "efficiency_table"]
