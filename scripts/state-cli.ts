/**
 * npm run state:verify [-- --repair]
 * Checks that every request's stored status, dates and outcome equal the replay of its events;
 * prints the mismatches (ids and fields only, never applicant data) and exits 1 when there are
 * any. With --repair, writes the replayed values. Also the search documents and the tallies
 * (request-tally.ts) against a fresh count of the requests; --repair rebuilds the tallies.
 */
import { DerivedStateService } from '../src/requests/derived-state.service';
import { SearchIndexService } from '../src/requests/search-index.service';
import { TallyFolderService } from '../src/requests/tally-folder.service';
import { createCliContext } from './cli-context';

async function main(): Promise<void> {
  const repair = process.argv.slice(2).includes('--repair');
  const app = await createCliContext();
  try {
    const report = await app.get(DerivedStateService).verify(repair);
    console.log(`已核对 ${report.checked} 件申请：与办理记录不一致 ${report.mismatched} 件${repair ? `，已修复 ${report.repaired} 件` : ''}。`);
    for (const s of report.samples) console.log(`  ${s.id} ${s.field}: 存储 ${JSON.stringify(s.stored)} / 按记录 ${JSON.stringify(s.replayed)}`);
    const search = await app.get(SearchIndexService).verify(repair);
    console.log(`搜索索引：与申请不一致 ${search.mismatched} 件${repair ? `，已修复 ${search.repaired} 件` : ''}。`);
    const tallies = await app.get(TallyFolderService).verify(repair);
    const tallyMismatches = Object.values(tallies.mismatched).reduce((a, b) => a + b, 0);
    console.log(
      `计数表：与申请不一致 ${tallyMismatches} 组（${Object.entries(tallies.mismatched)
        .map(([t, n]) => `${t} ${n}`)
        .join('，')}）${tallies.repaired ? '，已重建' : ''}。`,
    );
    process.exitCode = (report.mismatched || search.mismatched || tallyMismatches) && !repair ? 1 : 0;
  } finally {
    await app.close();
  }
}

void main();
