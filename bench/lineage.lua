-- wrk script for the lineage load run (docs/benchmarks.md): requests the
-- paths of lineage-paths.txt (benchours lineagepaths) in turn.
-- wrk -t1 -c4 -d30s --latency -s bench/lineage.lua http://127.0.0.1:8099 -- bench/out/lineage-paths.txt
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
