import { routes } from '../../contract/routes';
import { FORBIDDEN_IN_BUNDLES, MAX_SCIM_BUNDLE_BYTES } from '../../lib/bundling';
import { bundleReport } from '../../scripts/bundle-report';

describe('the bundle report', () => {
  test('every function bundles within budget and without CDK code', async () => {
    const reports = await bundleReport();
    expect(reports.map((report) => report.routeId)).toEqual(routes.map((route) => route.id));
    for (const report of reports) {
      expect(report.forbidden).toEqual([]);
      expect(report.bytes).toBeGreaterThan(0);
      expect(report.bytes).toBeLessThanOrEqual(report.budgetBytes);
    }
    const scimReports = reports.filter((report) => report.entry.startsWith('functions/scim/'));
    expect(scimReports.every((report) => report.budgetBytes === MAX_SCIM_BUNDLE_BYTES)).toBe(true);
  });

  test('would notice a bundle that pulls in the CDK', async () => {
    const { bundleRoute } = await import('../../scripts/bundle-report');
    const report = await bundleRoute('test/fixtures/imports-constructs.ts');
    expect(report.forbidden).toEqual(['constructs']);
    expect(FORBIDDEN_IN_BUNDLES).toContain('constructs');
  });
});
