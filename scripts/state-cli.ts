/**
 * npm run state:verify [-- --repair]
 * Checks that every request's stored status, dates and outcome equal the replay of its events;
 * prints the mismatches (ids and fields only, never applicant data) and exits 1 when there are
 * any. With --repair, writes the replayed values.
 */
import { DerivedStateService } from '../src/requests/derived-state.service';
import { SearchIndexService } from '../src/requests/search-index.service';
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
    process.exitCode = (report.mismatched || search.mismatched) && !repair ? 1 : 0;
  } finally {
    await app.close();
  }
}

void main();
