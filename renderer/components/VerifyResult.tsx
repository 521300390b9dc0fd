import { Alert } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { VerifyOutcome } from '../api';
import { VERIFY } from '../messages';

/** A verification's verdict and, when it failed, every bad file. */
export function VerifyResult({ outcome, passed }: { readonly outcome: VerifyOutcome; readonly passed: boolean }) {
  return (
    <>
      {passed ? (
        <Alert variant="success" isInline title={VERIFY.passed}>
          <p>{VERIFY.passedDetail(outcome.bytesVerified, outcome.images)}</p>
          <p className="airlock-mono">
            {outcome.signature.trusted && outcome.signature.fingerprint ? VERIFY.signatureTrusted(outcome.signature.fingerprint, outcome.signature.label) : VERIFY.signatureAccepted}
          </p>
        </Alert>
      ) : (
        <Alert variant="danger" isInline title={VERIFY.rejected}>
          {VERIFY.rejectedDetail}
        </Alert>
      )}
      {outcome.problems.length > 0 ? (
        <Table aria-label={VERIFY.problemsLabel} variant="compact" className="airlock-problems-table">
          <Thead>
            <Tr>
              <Th>{VERIFY.colFile}</Th>
              <Th>{VERIFY.colProblem}</Th>
              <Th modifier="fitContent">{VERIFY.colCode}</Th>
            </Tr>
          </Thead>
          <Tbody>
            {outcome.problems.map((p, i) => (
              <Tr key={i}>
                <Td dataLabel={VERIFY.colFile} className="airlock-mono">
                  {p.file ?? p.part ?? p.blob ?? ''}
                </Td>
                <Td dataLabel={VERIFY.colProblem}>{p.message}</Td>
                <Td dataLabel={VERIFY.colCode} className="airlock-mono">
                  {p.code}
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      ) : null}
    </>
  );
}
